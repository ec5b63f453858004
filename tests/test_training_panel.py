"""The words of a live training panel, read from a model's progress."""

import time

from components.model_shelf import Progress
from components.training_panel import describe


def test_before_the_first_step_the_panel_says_the_data_is_being_prepared_not_step_0_of_0():
    assert describe(Progress(state="training")) == "preparing the training data"


def test_while_training_the_panel_gives_the_step_and_the_time_left():
    progress = Progress(state="training", step=50, total=100, started=time.monotonic() - 10)
    line = describe(progress)
    assert line.startswith("step 50 of 100, about ")
    assert 9 <= float(line.split("about ")[1].split(" s")[0]) <= 11  # as long again as it has taken


def test_other_states_in_words():
    assert describe(Progress(state="waiting")) == "waiting its turn"
    assert describe(Progress(state="ready")) == "ready"
    assert "another server process" in describe(Progress(state="training", elsewhere=True))
    assert "reload the page" in describe(Progress(state="failed", error="boom"))
