"""models/language_networks.py: the recurrent net is torch's own layer, and the bag of words' fast training path
computes the same hidden layer as its count vector.
"""

import torch
from torch import nn

from models.language_networks import RecurrentNet
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
