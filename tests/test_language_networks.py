"""models/language_networks.py: the recurrent net is torch's own layer, the bag of words' fast training path
computes the same hidden layer as its count vector, and the adaptive softmax's training loss is the
cross-entropy of its full distribution.
"""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from models import language
from models.language_networks import IGNORE, AdaptiveReadout, RecurrentNet, readout
from models.vocabulary import text_tokens


def test_recurrent_net_matches_torch_layers():
    torch.manual_seed(0)
    net = RecurrentNet("lstm", 20, 4, 6)
    x = torch.randint(0, 20, (2, 5))
    reference = nn.LSTM(4, 6, batch_first=True)
    reference.load_state_dict(net.rnn.state_dict())
    out, _ = reference(net.embed(x))
    assert torch.allclose(net(x), net.out(out))


def test_bow_training_path_equals_the_count_vector_path(trained):
    net = trained["bow"].network
    x = torch.tensor([trained["bow"].vocab.encode(text_tokens("The dog and the cat. The dog ran home."))])
    with torch.no_grad():
        net.train()
        fast = net.features(x)
        net.eval()
        exact = net.features(x)
    assert torch.allclose(fast, exact, atol=1e-5)


def test_adaptive_readout_gives_a_distribution_over_every_word():
    torch.manual_seed(0)
    out = readout(8, 50, (10, 30))
    assert isinstance(out, AdaptiveReadout) and out.head_size == 10
    log_p = out(torch.randn(3, 4, 8))
    assert log_p.shape == (3, 4, 50)
    assert torch.allclose(log_p.exp().sum(-1), torch.ones(3, 4), atol=1e-5)
    assert torch.allclose(torch.softmax(log_p, -1), log_p.exp(), atol=1e-6)  # softmax of it changes nothing


def test_adaptive_training_loss_is_the_cross_entropy_of_the_full_distribution():
    torch.manual_seed(0)
    net = RecurrentNet("rnn", 50, 4, 8, cutoffs=(10, 30))
    x = torch.randint(0, 50, (3, 6))
    targets = torch.randint(0, 50, (3, 6))
    targets[0, :2] = IGNORE
    full = F.cross_entropy(net(x).flatten(0, 1), targets.flatten(), ignore_index=IGNORE)
    assert torch.allclose(net.loss(x, targets), full, atol=1e-5)
    net.loss(x, targets).backward()
    assert all(p.grad is not None for p in net.out.parameters())


@pytest.mark.parametrize(("vocab", "cutoffs"), [(12, (100, 400)), (50, ()), (11, (10,))])
def test_a_vocabulary_too_small_to_split_gets_one_full_softmax(vocab, cutoffs):
    out = readout(8, vocab, cutoffs)
    assert isinstance(out, nn.Linear) and out.out_features == vocab


def test_a_vocabulary_between_the_cutoffs_keeps_the_cutoffs_that_fit():
    out = readout(8, 200, (100, 400))
    assert isinstance(out, AdaptiveReadout) and out.softmax.cutoffs == [100, 200]


@pytest.mark.parametrize("kind", ["window", "bow", "rnn", "lstm"])
def test_cutoffs_that_do_not_fit_leave_the_plain_network_bit_for_bit(kind):
    """The readout is made where W_hy always was, so a small vocabulary (a student's text, the recall task) starts
    from the same weights as a network without cutoffs: its chaotic training lands where it was measured."""
    nets = []
    for cutoffs in ((100, 400), ()):
        torch.manual_seed(0)
        nets.append(language.build_network(language.default_config(kind, readout_cutoffs=cutoffs), 60, 0))
    plain, cut = nets[1].state_dict(), nets[0].state_dict()
    assert plain.keys() == cut.keys() and all(torch.equal(plain[k], cut[k]) for k in plain)
