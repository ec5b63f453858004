"""The sections of the lab's pages, grouped by concept; each page file lists them as its table of contents."""
