"""The default text and speech CNNs, trained once per test session and shared by the tests that read them."""

from functools import cache

from models import speech_cnn, text_cnn


@cache
def trained_text_cnn() -> text_cnn.TrainedTextCNN:
    return text_cnn.train_text_cnn()


@cache
def bag_of_words() -> text_cnn.BagOfWords:
    return text_cnn.train_bag_of_words()


@cache
def comparison() -> text_cnn.Comparison:
    return text_cnn.compare(trained_text_cnn(), bag_of_words())


@cache
def trained_speech_cnn() -> speech_cnn.TrainedSpeechCNN:
    return speech_cnn.train_speech_cnn()
