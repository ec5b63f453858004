"""CNNs for text and speech: the sliding window of the image pages, over words and over spectrograms.

Hand-made detectors first (every number readable), then a text CNN and a speech CNN that learn their own. The
sections live in components/sections/ (text_convolution, speech_convolution); the bottom of the file lists them.
"""

from components import lesson, text_speech_getters
from components.sections import speech_convolution, text_convolution


def intro() -> None:
    """The page title, what the student will see, and the slides it covers."""
    lesson.page_intro(
        "CNNs for text and speech",
        "A convolution slides a small window over a grid; nothing says the grid must be a photo. "
        "A sentence is a grid of word features × words, and a sound is a spectrogram, frequency × time. "
        "Read hand-made detectors first, then watch a text CNN and a speech CNN learn their own.",
        slides=["An Architecture for Many Applications", "CNN for Text Classification", "CNN for Speech Recognition"],
        needs=text_speech_getters.PAGE_MODELS,
    )


@lesson.model_section
def what_to_notice() -> None:
    """The take-aways, worded from this page's own models."""
    model = text_speech_getters.get_text_cnn()
    result = text_speech_getters.get_text_comparison(model)
    speech = text_speech_getters.get_speech_cnn()
    order = "beats it" if result.cnn_order_accuracy > result.bow_order_accuracy else "does not beat it"
    lesson.what_to_notice(
        [
            "A convolution over words is the same multiply-and-add as over pixels: a width-2 detector sees “not” "
            "right before “bad”, which a single word cannot tell.",
            "Max over time keeps one number per filter, its best window wherever it was; how often a pattern occurs "
            "is lost.",
            f"Learned beats hand-made coverage: the text CNN is right on {result.cnn_accuracy:.0%} of held-out "
            f"sentences and bag of words on {result.bow_accuracy:.0%}; on the {result.order_count} with a negation "
            f"the CNN {order} ({result.cnn_order_accuracy:.0%} against {result.bow_order_accuracy:.0%}).",
            f"A spectrogram is an image, so the image CNN recipe works unchanged: {speech.test_accuracy:.0%} of "
            f"held-out sounds right, with pitch, speed and noise it never saw in exactly that form.",
        ]
    )


intro()
lesson.sections(
    text_convolution.handmade_text,
    text_convolution.learned_text,
    text_convolution.word_order,
    speech_convolution.handmade_sound,
    speech_convolution.learned_sound,
    text_convolution.concept_checks,
    what_to_notice,
)
