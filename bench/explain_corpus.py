# ruff: noqa: E501  (the snippets keep the reports' own long lines)
"""The corpus of bench/explain_eval.py: errors real people reported, each as a small snippet.

Every case names its public source (`url`), what the thread found to be the real cause
(`expect`: `"<catalog entry>/<cause>"`, or just the entry) and whether the snippet's own facts
decide that cause (`decided`; see the scoring rule in explain_eval.py). Snippets recreate the
reported situation with the names and shapes of the report where it gave them; data sets are
made of tensors (no torchvision here). Written from the reports, before any explanation of
them was looked at.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    url: str
    expect: str
    code: str
    decided: bool = True


GH = "https://github.com/"
CASES: list[Case] = [
    # -- Linear layers fed the wrong features --------------------------------------------------
    Case(
        GH + "udacity/deep-learning-v2-pytorch/issues/86",
        "linear-in-features/unflattened",
        """
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                      nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()
images, labels = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
imagees = images.view(1, -1)
log_ps = model(images)
loss = criterion(log_ps, labels)
""",
    ),
    Case(
        GH + "tinkerhub/ComputerVision-with-PyTorch-Learning-Program/issues/81",
        "linear-in-features/unflattened",
        """
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.sigmoid(self.conv1(x)), (2, 2))
        x = F.max_pool2d(torch.sigmoid(self.conv2(x)), 2)
        x.view(-1, 16 * 6 * 6)
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        return self.fc3(x)

net = Net()
out = net(torch.randn(1, 1, 32, 32))
""",
    ),
    Case(
        GH + "blackfeather-wang/ISDA-for-Deep-Networks/issues/2",
        "linear-in-features/wrong-in-features",
        """
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 64, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(64, 256, 5)
        self.fc1 = nn.Linear(256 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 256 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

net = Net()
fc = nn.Linear(84, 10)  # the ISDA head expects the 84 features
features = net(torch.randn(4, 3, 32, 32))
logits = fc(features)
""",
    ),
    Case(
        GH + "pytorch/examples/issues/564",
        "linear-in-features/transposed",
        """
class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = torch.nn.Linear(6, 36)
        self.layer2 = torch.nn.Linear(36, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        out1 = self.sigmoid(self.layer1(x))
        return self.sigmoid(self.layer2(out1))

model = Model()
print(model.forward(torch.Tensor([[3.0], [1.0], [22.0], [1.0], [0.0], [7.25]])))
""",
    ),
    # -- torch.stack in the DataLoader's collate ---------------------------------------------------
    Case(
        GH + "qubvel-org/segmentation_models.pytorch/issues/472",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import Dataset, DataLoader

class Photos(Dataset):
    sizes = [(1088, 773), (384, 480), (600, 800), (512, 512)]
    def __len__(self):
        return len(self.sizes)
    def __getitem__(self, i):
        h, w = self.sizes[i]
        return torch.rand(3, h // 8, w // 8)

loader = DataLoader(Photos(), batch_size=4)
for batch in loader:
    print(batch.shape)
""",
    ),
    Case(
        GH + "milesial/Pytorch-UNet/issues/285",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import Dataset, DataLoader

class CarvanaLike(Dataset):
    shapes = [(544, 386), (794, 586), (544, 386), (600, 400)]
    def __len__(self):
        return 4
    def __getitem__(self, i):
        h, w = self.shapes[i]
        return {"image": torch.rand(3, h // 4, w // 4), "mask": torch.zeros(h // 4, w // 4)}

train_loader = DataLoader(CarvanaLike(), batch_size=4, shuffle=False)
batch = next(iter(train_loader))
""",
    ),
    Case(
        GH + "abhishekkrthakur/captcha-recognition-pytorch/issues/1",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import Dataset, DataLoader

class Captchas(Dataset):
    labels = ["x7k2pq9", "ab3d5f", "qwe12r7", "zz9yy8"]
    def __len__(self):
        return len(self.labels)
    def __getitem__(self, i):
        target = torch.tensor([ord(c) - 48 for c in self.labels[i]])
        return torch.rand(3, 75, 300), target

for images, targets in DataLoader(Captchas(), batch_size=2):
    pass
""",
    ),
    Case(
        GH + "amdegroot/ssd.pytorch/issues/546",
        "stack-size-mismatch/collate-samples",
        """
import numpy as np
from torch.utils.data import DataLoader

boxes = [np.array([[0.2, 0.0, 0.96, 0.83, 1.0]]),
         np.array([[0.63, 0.24, 0.82, 0.5, 2.0], [0.5, 0.27, 0.63, 0.5, 2.0]])]
samples = [(torch.rand(3, 300, 300), torch.from_numpy(b)) for b in boxes]
loader = DataLoader(samples, batch_size=2)
images, targets = next(iter(loader))
""",
    ),
    Case(
        GH + "Lightning-Universe/lightning-flash/issues/415",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import DataLoader

# 13 RGB tiles and one grayscale tile in the same folder
tiles = [torch.rand(3, 200, 200) for _ in range(13)] + [torch.rand(1, 200, 200)]
loader = DataLoader(tiles, batch_size=16)
batch = next(iter(loader))
""",
    ),
    Case(
        GH + "Suanmd/TR-MISR/issues/3",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import DataLoader

def collateFunction(batch):
    lr_batch = [sample for sample in batch]
    padded_lr_batch = torch.stack(lr_batch, dim=0)
    return padded_lr_batch

scenes = [torch.rand(24, 32, 64), torch.rand(24, 64, 32)]
loader = DataLoader(scenes, batch_size=2, collate_fn=collateFunction)
for lr in loader:
    pass
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/1904",
        "stack-size-mismatch/collate-samples",
        """
from torch.utils.data import DataLoader

# an ImageFolder-like test set whose transform forgot Resize
testset = [(torch.rand(3, 224 + 16 * i, 224), i % 2) for i in range(8)]
test_loader = DataLoader(testset, batch_size=8, shuffle=True)
loader = iter(test_loader)
next(loader)
""",
    ),
    # -- backward through a freed graph --------------------------------------------------------------
    Case(
        GH + "MorvanZhou/PyTorch-Tutorial/issues/57",
        "backward-twice/rnn-state",
        """
class RNN(nn.Module):
    def __init__(self):
        super(RNN, self).__init__()
        self.rnn = nn.RNN(input_size=1, hidden_size=32, num_layers=1, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x, h_state):
        r_out, h_state = self.rnn(x, h_state)
        return self.out(r_out), h_state

rnn = RNN()
optimizer = torch.optim.Adam(rnn.parameters(), lr=0.02)
loss_func = nn.MSELoss()
h_state = None
for step in range(3):
    x = torch.sin(torch.linspace(step, step + 1, 10)).view(1, 10, 1)
    y = torch.cos(torch.linspace(step, step + 1, 10)).view(1, 10, 1)
    prediction, h_state = rnn(x, h_state)
    # h_state = h_state.data
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    ),
    Case(
        GH + "quark0/darts/issues/56",
        "backward-twice/rnn-state",
        """
model = nn.LSTM(16, 32)
head = nn.Linear(32, 100)
opt = torch.optim.SGD(list(model.parameters()) + list(head.parameters()), lr=0.1)
hidden = (torch.zeros(1, 4, 32), torch.zeros(1, 4, 32))
for batch in range(3):
    data, targets = torch.randn(5, 4, 16), torch.randint(0, 100, (5 * 4,))
    output, hidden = model(data, hidden)
    loss = F.cross_entropy(head(output).view(-1, 100), targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
""",
    ),
    Case(
        GH + "sgadgil6/cnslab_fmri/issues/4",
        "backward-twice/rnn-state",
        """
class fMRI_LSTM(nn.Module):
    def __init__(self, hidden_dim, input_dim):
        super(fMRI_LSTM, self).__init__()
        self.hidden_dim = hidden_dim
        self.lstm = nn.LSTM(input_dim, hidden_dim, num_layers=1, batch_first=True)
        self.linear = nn.Linear(hidden_dim, 1)
        self.hidden = (torch.randn(1, 8, hidden_dim), torch.randn(1, 8, hidden_dim))

    def forward(self, x):
        lstm_out, self.hidden = self.lstm(x, self.hidden)
        return self.linear(lstm_out[:, -1, :])

model = fMRI_LSTM(16, 10)
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(2):
    out = model(torch.randn(8, 20, 10))
    loss = F.binary_cross_entropy_with_logits(out, torch.ones(8, 1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    ),
    Case(
        GH + "pytorch/examples/issues/116",
        "backward-twice",
        """
netG = nn.Sequential(nn.Linear(8, 16), nn.Tanh())
netD = nn.Sequential(nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optD = torch.optim.Adam(netD.parameters())
optG = torch.optim.Adam(netG.parameters())
noise = torch.randn(4, 8)
fake = netG(noise)
netD.zero_grad()
errD_fake = criterion(netD(fake), torch.zeros(4, 1))
errD_fake.backward()
optD.step()
netG.zero_grad()
errG = criterion(netD(fake), torch.ones(4, 1))
errG.backward()
optG.step()
""",
        decided=False,
    ),
    # -- convolutions fed the wrong number of dimensions -------------------------------------------
    Case(
        GH + "long123524/SEANet_torch/issues/4",
        "conv-input-ndim/extra-dim",
        """
class VGGStem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1_1 = nn.Conv2d(3, 64, 3, padding=1)
        self.activ = nn.ReLU()

    def forward(self, x):
        return self.activ(self.conv1_1(x))

model = VGGStem()
# summary(model, (8, 3, 512, 512)) adds its own batch dimension in front
out = model(torch.randn(2, 8, 3, 64, 64))
""",
    ),
    Case(
        GH + "JIA-Lab-research/MGM/issues/40",
        "conv-input-ndim/extra-dim",
        """
vision_tower = nn.Sequential(nn.Conv2d(3, 16, kernel_size=14, stride=14), nn.Flatten(2))
image = torch.rand(3, 336, 336)
images = image.unsqueeze(0).unsqueeze(0)
features = vision_tower(images)
""",
    ),
    Case(
        GH + "hughperkins/pytorch/issues/39",
        "conv-input-ndim/flat-images",
        """
net = nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2))
batch = torch.rand(32, 784)  # MNIST read as flat vectors
out = net(batch)
""",
    ),
    Case(
        GH + "leizhang-geo/ST-CausalConvNet/issues/1",
        "conv-input-ndim/extra-dim",
        """
class CausalConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(24, 32, kernel_size=2)

    def forward(self, x):
        return self.conv(x)

model = CausalConv()
x = torch.randn(32, 24, 1, 12)  # batch of 32 stations, 24 features, 1 site, 12 hours
y = model(x)
""",
    ),
    Case(
        GH + "huggingface/pytorch-image-models/issues/1854",
        "conv-input-ndim/extra-dim",
        """
resnet_stem = nn.Sequential(nn.Conv2d(8, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU())
volumes = torch.randn(4, 8, 14, 56, 56)  # batch, channels, depth, height, width
out = resnet_stem(volumes)
""",
    ),
    # -- class labels out of range ------------------------------------------------------------------
    Case(
        GH + "milesial/Pytorch-UNet/issues/408",
        "loss-target-out-of-range/binary-mask",
        """
net = nn.Conv2d(3, 2, kernel_size=1)  # two classes: background, object
criterion = nn.CrossEntropyLoss()
images = torch.rand(2, 3, 32, 32)
true_masks = (torch.rand(2, 32, 32) > 0.5).long() * 255  # the masks were saved as 0/255 PNGs
masks_pred = net(images)
loss = criterion(masks_pred, true_masks)
""",
    ),
    Case(
        GH + "VainF/DeepLabV3Plus-Pytorch/issues/91",
        "loss-target-out-of-range/void-label",
        """
num_classes = 21
model = nn.Conv2d(3, num_classes, kernel_size=1)
criterion = nn.CrossEntropyLoss(ignore_index=255, reduction="mean")
images = torch.rand(2, 3, 16, 16)
labels = torch.randint(0, num_classes, (2, 16, 16))
labels[:, :2, :] = 225  # the dataset marks unlabeled pixels with 225
outputs = model(images)
loss = criterion(outputs, labels)
""",
    ),
    Case(
        GH + "open-mmlab/mmsegmentation/issues/3609",
        "loss-target-out-of-range/too-few-outputs",
        """
decode_head = nn.Conv2d(16, 2, kernel_size=1)  # configured for binary segmentation
features = torch.rand(2, 16, 8, 8)
gt = torch.randint(0, 2, (2, 8, 8))
gt[0, 0, 0] = 7  # a pixel with label 7 in the annotations
loss = F.cross_entropy(decode_head(features), gt)
""",
    ),
    # -- nn.Module boilerplate -------------------------------------------------------------------------
    Case(
        GH + "Genentech/gReLU/issues/188",
        "module-init-not-called",
        """
class ExplaiNNTrunk(nn.Module):
    def __init__(self, in_len, channels, kernel_size):
        self.channels = channels
        self.blocks = nn.ModuleList()
        for _ in range(3):
            self.blocks.append(nn.Conv1d(4, channels, kernel_size))

t = ExplaiNNTrunk(in_len=200, channels=128, kernel_size=19)
""",
    ),
    Case(
        GH + "pyg-team/pytorch_geometric/issues/681",
        "module-init-not-called",
        """
class GAE(nn.Module):
    def __init__(self, encoder, decoder=None):
        super(GAE, self).__init__()
        self.encoder = encoder
        self.decoder = decoder

class ARGA(GAE):
    def __init__(self, encoder, discriminator, decoder=None):
        self.discriminator = discriminator
        super(ARGA, self).__init__(encoder, decoder)

model = ARGA(nn.Linear(8, 4), nn.Linear(4, 1))
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/37824",
        "module-init-not-called",
        """
class Composite(nn.Module):
    def __init__(self, backbone, head):
        self.backbone = backbone
        self.head = head

    def forward(self, x):
        return self.head(self.backbone(x))

model = Composite(nn.Linear(4, 4), nn.Linear(4, 2))
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/74303",
        "missing-forward/misspelled",
        """
class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.output = nn.Linear(256, 10)

    def foward(self, x):
        return F.softmax(self.output(torch.sigmoid(self.hidden(x))), dim=1)

model = Network()
out = model(torch.randn(64, 784))
""",
    ),
    Case(
        GH + "cloneofsimo/paint-with-words-sd/issues/2",
        "missing-forward/container",
        """
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn1 = nn.ModuleList([nn.Linear(8, 8), nn.Dropout(0.0)])

    def forward(self, hidden_states):
        return self.attn1(hidden_states) + hidden_states

block = Block()
out = block(torch.randn(2, 8))
""",
    ),
    Case(
        GH + "deeplearning-wisc/vos/issues/2",
        "forward-arguments",
        """
class ROIHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.box_predictor = nn.Linear(16, 4)

    def forward(self, features, iteration):
        return self.box_predictor(features)

heads = ROIHeads()
boxes = heads(torch.randn(8, 16))
""",
    ),
    # -- DataLoader and Dataset -------------------------------------------------------------------------
    Case(
        GH + "dulucas/siMLPe/issues/2",
        "dataloader-empty-dataset",
        """
import glob
from torch.utils.data import Dataset, DataLoader

class H36MDataset(Dataset):
    def __init__(self, root):
        self.files = sorted(glob.glob(root + "/S*/*.txt"))
    def __len__(self):
        return len(self.files)
    def __getitem__(self, i):
        return torch.load(self.files[i])

dataset = H36MDataset("data/h36m")  # the data was not put where the config says
dataloader = DataLoader(dataset, batch_size=256, shuffle=True)
""",
    ),
    Case(
        GH + "okankop/Efficient-3DCNNs/issues/17",
        "dataloader-empty-dataset",
        """
import os
from torch.utils.data import Dataset, DataLoader

class VideoDataset(Dataset):
    def __init__(self, root):
        self.clips = []
        if os.path.isdir(root):
            for label in os.listdir(root):
                self.clips += [(os.path.join(root, label, v), label) for v in os.listdir(os.path.join(root, label))]
    def __len__(self):
        return len(self.clips)
    def __getitem__(self, i):
        return self.clips[i]

training_data = VideoDataset("/datasets/jester/jpg")
train_loader = DataLoader(training_data, batch_size=32, shuffle=True, num_workers=0)
""",
    ),
    Case(
        GH + "sicara/easy-few-shot-learning/issues/162",
        "dataloader-empty-dataset",
        """
from pathlib import Path
from torch.utils.data import Dataset, DataLoader

class CUB(Dataset):
    def __init__(self, split):
        self.images = list(Path("data/CUB/images").glob("*/*.jpg"))
    def __len__(self):
        return len(self.images)
    def __getitem__(self, i):
        return self.images[i]

train_set = CUB(split="train")
train_loader = DataLoader(train_set, batch_size=128, shuffle=True)
""",
    ),
    Case(
        GH + "seanXYZ/SegDecNet/issues/15",
        "dataloader-empty-dataset",
        """
import glob, os
from torch.utils.data import Dataset, DataLoader

os.makedirs("/tmp/KolektorSDD/kos01", exist_ok=True)
for name in ("Part0.bmp", "Part1.bmp"):
    open(os.path.join("/tmp/KolektorSDD/kos01", name), "wb").close()

class KolektorDataset(Dataset):
    def __init__(self, root):
        self.files = glob.glob(root + "/*/*.jpg")
    def __len__(self):
        return len(self.files)
    def __getitem__(self, i):
        return self.files[i]

loader = DataLoader(KolektorDataset("/tmp/KolektorSDD"), batch_size=4, shuffle=True)
""",
    ),
    Case(
        GH + "hbchen121/AICITY2022_Track2_SSM/issues/3",
        "collate-pil-image",
        """
from PIL import Image
from torch.utils.data import Dataset, DataLoader

class TrackDataset(Dataset):
    def __init__(self, transform=None):
        self.transform = transform
    def __len__(self):
        return 8
    def __getitem__(self, i):
        crop = Image.new("RGB", (64, 64))
        if self.transform is not None:
            crop = self.transform(crop)
        return crop, i

loader = DataLoader(TrackDataset(), batch_size=4)
for crops, ids in loader:
    pass
""",
    ),
    Case(
        GH + "zijundeng/pytorch-semantic-segmentation/issues/10",
        "collate-pil-image",
        """
from PIL import Image
from torch.utils.data import Dataset, DataLoader

class CityScapes(Dataset):
    def __len__(self):
        return 4
    def __getitem__(self, index):
        img = Image.new("RGB", (32, 16))
        mask = Image.new("L", (32, 16))
        return img, mask

test_loader = DataLoader(CityScapes(), batch_size=2)
for vi, data in enumerate(test_loader):
    pass
""",
    ),
    Case(
        GH + "Lightning-AI/pytorch-lightning/pull/13791",
        "collate-pil-image",
        """
from PIL import Image
from torch.utils.data import DataLoader

class MNIST:
    def __init__(self, transform=None):
        self.transform = transform
    def __len__(self):
        return 16
    def __getitem__(self, i):
        img = Image.new("L", (28, 28))
        return (self.transform(img) if self.transform else img), i % 10

dataset = MNIST()  # transform=ToTensor() was left out of the docs
train_loader = DataLoader(dataset, batch_size=8)
batch = next(iter(train_loader))
""",
    ),
    Case(
        GH + "tristandeleu/pytorch-meta/issues/35",
        "collate-pil-image",
        """
from PIL import Image
from torch.utils.data import DataLoader

omniglot = [(Image.new("L", (105, 105)), c) for c in range(5)]
dataloader = DataLoader(omniglot, batch_size=5)
inputs, targets = next(iter(dataloader))
""",
    ),
    Case(
        GH + "neeraj3029/Ne2Ne-Image-Denoising/issues/5",
        "dataloader-next",
        """
from torch.utils.data import DataLoader, TensorDataset

test_loader = DataLoader(TensorDataset(torch.rand(8, 1, 32, 32), torch.zeros(8)), batch_size=4)
dataiter = iter(test_loader)
images, _ = dataiter.next()
""",
    ),
    Case(
        GH + "dvgodoy/PyTorchStepByStep/pull/29",
        "dataloader-next",
        """
from torch.utils.data import DataLoader, TensorDataset

val_loader = DataLoader(TensorDataset(torch.rand(16, 1, 5, 5), torch.randint(0, 3, (16,))), batch_size=16)
images_batch, labels_batch = iter(val_loader).next()
""",
    ),
    Case(
        GH + "patrickloeber/pytorchTutorial/issues/22",
        "dataloader-next",
        """
from torch.utils.data import Dataset, DataLoader

class WineDataset(Dataset):
    def __init__(self):
        self.x, self.y = torch.rand(178, 13), torch.randint(0, 3, (178, 1))
    def __getitem__(self, index):
        return self.x[index], self.y[index]
    def __len__(self):
        return 178

dataloader = DataLoader(dataset=WineDataset(), batch_size=4, shuffle=True)
datatiter = dataloader.next()
""",
    ),
    Case(
        GH + "cs231n/cs231n.github.io/issues/287",
        "dataloader-next",
        """
from torch.utils.data import DataLoader, TensorDataset

loader_train = DataLoader(TensorDataset(torch.rand(128, 1, 28, 28)), batch_size=128)
imgs = loader_train.__iter__().next()[0].view(128, 784).numpy().squeeze()
""",
    ),
    Case(
        GH + "zergtant/pytorch-handbook/issues/140",
        "dataloader-next",
        """
from torch.utils.data import DataLoader, TensorDataset

trainset = TensorDataset(torch.rand(16, 3, 32, 32), torch.randint(0, 10, (16,)))
trainloader = DataLoader(trainset, batch_size=4, shuffle=True)
dataiter = iter(trainloader)
images, labels = dataiter.next()
""",
    ),
    # -- state dicts and checkpoints ---------------------------------------------------------------------
    Case(
        GH + "pytorch/pytorch/issues/3805",
        "state-dict-keys/module-prefix",
        """
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
# the checkpoint was saved from nn.DataParallel(model)
checkpoint = {"state_dict": {"module." + k: v for k, v in model.state_dict().items()}}
model.load_state_dict(checkpoint["state_dict"])
""",
    ),
    Case(
        GH + "abeardear/pytorch-YOLO-v1/issues/4",
        "state-dict-keys/module-prefix",
        """
class VGG(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU())
        self.classifier = nn.Linear(16, 30)

net = VGG()
trained = {"module." + k: v for k, v in VGG().state_dict().items()}
torch.save(trained, "/tmp/yolo.pth")
net.load_state_dict(torch.load("/tmp/yolo.pth"))
""",
    ),
    Case(
        GH + "menzelab/implicit-shape-reconstruction/issues/2",
        "state-dict-keys/module-prefix",
        """
net = nn.Sequential(nn.Linear(3, 64), nn.ReLU(), nn.Linear(64, 1))
net_state = {"module." + k: v for k, v in net.state_dict().items()}
net.load_state_dict(net_state, strict=True)
""",
    ),
    Case(
        GH + "whai362/pan_pp.pytorch/issues/14",
        "state-dict-keys/module-prefix",
        """
model = nn.Sequential(nn.Conv2d(3, 4, 1))
parallel = nn.DataParallel(model)
torch.save(parallel.state_dict(), "/tmp/checkpoint.pth")
fresh = nn.Sequential(nn.Conv2d(3, 4, 1))
fresh.load_state_dict(torch.load("/tmp/checkpoint.pth"))
""",
    ),
    Case(
        GH + "bearpaw/pytorch-classification/issues/27",
        "state-dict-keys/architecture",
        """
class ResNetA(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.bn = nn.BatchNorm2d(16)

class ResNetB(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv3 = nn.Conv2d(16, 16, 1)

model = nn.DataParallel(ResNetA())
checkpoint = nn.DataParallel(ResNetB()).state_dict()  # trained with another depth
model.load_state_dict(checkpoint)
""",
    ),
    Case(
        GH + "potterhsu/easy-faster-rcnn.pytorch/issues/29",
        "state-dict-size-mismatch/head",
        """
class Detection(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.hidden = nn.Linear(2048, 2048)
        self._proposal_class = nn.Linear(2048, num_classes)
        self._proposal_transformer = nn.Linear(2048, num_classes * 4)

pretrained = Detection(num_classes=21).state_dict()  # trained on VOC
model = Detection(num_classes=6)                      # fine-tuning on 6 classes
model.load_state_dict(pretrained)
""",
    ),
    Case(
        GH + "open-mmlab/mmdetection/issues/6533",
        "state-dict-size-mismatch/head",
        """
class BBoxHead(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.shared_fc = nn.Linear(256, 1024)
        self.fc_cls = nn.Linear(1024, num_classes + 1)

coco = BBoxHead(num_classes=80).state_dict()
mine = BBoxHead(num_classes=3)
mine.load_state_dict(coco)
""",
    ),
    Case(
        GH + "jianbo909/efficientFCN/issues/5",
        "state-dict-size-mismatch/architecture",
        """
def make_model(width):
    return nn.Sequential(nn.Conv2d(3, width, 3), nn.BatchNorm2d(width), nn.ReLU(),
                         nn.Conv2d(width, 2 * width, 3), nn.BatchNorm2d(2 * width))

checkpoint = make_model(64).state_dict()  # the released weights use width 64
model = make_model(32)                    # the config builds width 32
model.load_state_dict(checkpoint)
""",
    ),
    Case(
        GH + "facebookresearch/pycls/issues/86",
        "state-dict-size-mismatch/architecture",
        """
class Stem(nn.Module):
    def __init__(self, width, kernel):
        super().__init__()
        self.conv = nn.Conv2d(3, width, kernel)
        self.bn = nn.BatchNorm2d(width)

class Net(nn.Module):
    def __init__(self, width, kernel):
        super().__init__()
        self.stem = Stem(width, kernel)
        self.head = nn.Linear(width, 10)

weights = Net(64, 7).state_dict()  # ResNet-50 weights
net = Net(16, 3)                   # a CIFAR ResNet stem from the other config
net.load_state_dict(weights)
""",
    ),
    # -- tensors of the wrong kind ------------------------------------------------------------------------
    Case(
        GH + "nlsde-safety-team/DualAttentionAttack/issues/12",
        "from-numpy-tensor",
        """
textures = torch.rand(1, 6, 6, 6, 2, 2, 2, 3)  # already a tensor, not an ndarray
texture_origin = torch.from_numpy(textures[None, :, :, :, :, :])
""",
    ),
    Case(
        GH + "Cysu/open-reid/issues/69",
        "cat-zero-dim/list-of-scalars",
        """
inputs = torch.randn(8, 16)
dist = torch.cdist(inputs, inputs)
targets = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
mask = targets.expand(8, 8).eq(targets.expand(8, 8).t())
dist_ap, dist_an = [], []
for i in range(8):
    dist_ap.append(dist[i][mask[i]].max())
    dist_an.append(dist[i][mask[i] == 0].min())
dist_ap = torch.cat(dist_ap)
""",
    ),
    Case(
        GH + "wengong-jin/icml18-jtnn/issues/6",
        "cat-zero-dim/list-of-scalars",
        """
scores = [torch.randn(5) for _ in range(4)]
labels = [torch.tensor(2), torch.tensor(0), torch.tensor(4), torch.tensor(1)]
all_loss = [F.cross_entropy(s.unsqueeze(0), l.unsqueeze(0)) for s, l in zip(scores, labels)]
total = torch.cat(all_loss).sum() / len(scores)
""",
    ),
    Case(
        GH + "kuaikuaikim/dface/issues/27",
        "cat-zero-dim/list-of-scalars",
        """
accuracy_list = []
for batch in range(3):
    pred, gt = torch.rand(16) > 0.5, torch.rand(16) > 0.5
    accuracy_list.append((pred == gt).float().mean())
accuracy_avg = torch.mean(torch.cat(accuracy_list))
""",
    ),
    Case(
        GH + "yuanenming/mb-str/issues/3",
        "cat-zero-dim/list-of-scalars",
        """
training_step_outputs = [{"loss": (torch.randn(4) ** 2).mean()} for _ in range(5)]
loss = torch.cat([o["loss"] for o in training_step_outputs], 0).mean()
""",
    ),
    Case(
        GH + "timbmg/Sentence-VAE/issues/4",
        "cat-zero-dim/scalar-into-1d",
        """
tracker = {"ELBO": torch.tensor([])}
for iteration in range(3):
    loss = torch.randn(32).pow(2).mean()
    tracker["ELBO"] = torch.cat((tracker["ELBO"], loss))
""",
    ),
    Case(
        GH + "microsoft/otdd/pull/27",
        "cat-zero-dim/scalar-into-1d",
        """
labels = [torch.tensor([3]), torch.tensor([1]), torch.tensor(2)]  # the last item came out 0-d
targets = torch.cat(labels)
""",
    ),
    # -- BatchNorm of the wrong dimensionality -------------------------------------------------------------
    Case(
        GH + "rcdaudt/patch_based_change_detection/issues/1",
        "batchnorm-ndim/use-1d",
        """
class SiamUnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(6, 16, 3)
        self.fc = nn.Sequential(nn.Linear(16 * 13 * 13, 128), nn.BatchNorm2d(128), nn.ReLU(),
                                nn.Linear(128, 2))

    def forward(self, x1, x2):
        x = self.conv(torch.cat((x1, x2), 1))
        return self.fc(x.view(x.size(0), -1))

net = SiamUnet()
out = net(torch.rand(4, 3, 15, 15), torch.rand(4, 3, 15, 15))
""",
    ),
    Case(
        GH + "mpc001/end-to-end-lipreading/issues/1",
        "batchnorm-ndim/use-1d",
        """
class Lipreading(nn.Module):
    def __init__(self, inputDim=256, nClasses=500):
        super().__init__()
        self.fc = nn.Linear(512, inputDim)
        self.bnfc = nn.BatchNorm2d(inputDim)

    def forward(self, x):
        return self.bnfc(self.fc(x))

model = Lipreading()
out = model(torch.randn(29, 512))
""",
    ),
    Case(
        GH + "vgsatorras/few-shot-gnn/issues/2",
        "batchnorm-ndim/use-1d",
        """
class EmbeddingOmniglot(nn.Module):
    def __init__(self, emb_size=64):
        super().__init__()
        self.conv = nn.Conv2d(1, 64, 3)
        self.fc_last = nn.Linear(64 * 26 * 26, emb_size, bias=False)
        self.bn_fc = nn.BatchNorm2d(emb_size)

    def forward(self, inputs):
        e = F.relu(self.conv(inputs))
        return self.bn_fc(self.fc_last(e.view(e.size(0), -1)))

enc = EmbeddingOmniglot()
out = enc(torch.rand(10, 1, 28, 28))
""",
    ),
    Case(
        GH + "hehai131/DANN/issues/3",
        "batchnorm-ndim/use-1d",
        """
class DANN(nn.Module):
    def __init__(self):
        super().__init__()
        self.domain_classifier = nn.Sequential(
            nn.Linear(50 * 4 * 4, 100), nn.BatchNorm2d(100), nn.ReLU(True), nn.Linear(100, 2))

    def forward(self, reverse_feature):
        return self.domain_classifier(reverse_feature)

model = DANN()
domain_out = model(torch.randn(32, 800))
""",
    ),
    Case(
        GH + "adambielski/pytorch-gconv-experiments/issues/1",
        "batchnorm-ndim/use-3d",
        """
class P4Conv(nn.Module):  # a group convolution: its output has an extra rotation axis
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 16, kernel_size=(1, 3, 3), padding=(0, 1, 1))

    def forward(self, x):
        return self.conv(x.unsqueeze(2).expand(-1, -1, 4, -1, -1))

class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = P4Conv()
        self.bn1 = nn.BatchNorm2d(16)

    def forward(self, x):
        return F.relu(self.bn1(self.conv1(x)))

net = ResNet()
y = net(torch.randn(1, 3, 32, 32))
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/14409",
        "batchnorm-ndim/missing-batch",
        """
class VAE(torch.nn.Module):
    def __init__(self, input_size, hidden):
        super(VAE, self).__init__()
        self.fc = torch.nn.Linear(input_size, hidden)
        self.BN = torch.nn.BatchNorm1d(hidden)

    def forward(self, x):
        return torch.relu(self.BN(self.fc(x)))

vae = VAE(20, 10)
sample = torch.randn(20)  # one sample, no batch dimension
out = vae(sample)
""",
    ),
    Case(
        GH + "layumi/Person_reID_baseline_pytorch/issues/49",
        "batchnorm-ndim/missing-batch",
        """
class ClassBlock(nn.Module):
    def __init__(self, input_dim, class_num):
        super().__init__()
        self.add_block = nn.Sequential(nn.Linear(input_dim, 64), nn.BatchNorm1d(64), nn.LeakyReLU(0.1))
        self.classifier = nn.Linear(64, class_num)

    def forward(self, x):
        return self.classifier(self.add_block(x))

block = ClassBlock(2048, 751)
features = torch.randn(1, 2048, 1, 1)  # the last batch held a single image
x = torch.squeeze(features)
out = block(x)
""",
    ),
    # -- RNN states -----------------------------------------------------------------------------------------------
    Case(
        GH + "udacity/deep-learning-v2-pytorch/pull/398",
        "rnn-hidden-size/fixed-batch",
        """
class SentimentRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim=32, hidden_dim=64, n_layers=2):
        super().__init__()
        self.n_layers, self.hidden_dim = n_layers, hidden_dim
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, n_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, 1)

    def forward(self, x, hidden):
        lstm_out, hidden = self.lstm(self.embedding(x), hidden)
        return torch.sigmoid(self.fc(lstm_out[:, -1])), hidden

    def init_hidden(self, batch_size):
        return (torch.zeros(self.n_layers, batch_size, self.hidden_dim),
                torch.zeros(self.n_layers, batch_size, self.hidden_dim))

from torch.utils.data import DataLoader, TensorDataset
net = SentimentRNN(1000)
batch_size = 64
train_loader = DataLoader(TensorDataset(torch.randint(0, 1000, (68, 20))), batch_size=batch_size)
for (inputs,) in train_loader:
    h = net.init_hidden(batch_size)
    output, h = net(inputs, h)
""",
    ),
    Case(
        GH + "miyamotok0105/pytorch_handbook/issues/11",
        "rnn-hidden-size/fixed-batch",
        """
class LSTMClassifier(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.lstm = nn.LSTM(100, 256, batch_first=True)
        self.h0 = (torch.zeros(1, batch_size, 256), torch.zeros(1, batch_size, 256))
        self.fc = nn.Linear(256, 2)

    def forward(self, text):
        out, _ = self.lstm(text, self.h0)
        return self.fc(out[:, -1])

net = LSTMClassifier(batch_size=32)
for text in (torch.randn(32, 12, 100), torch.randn(8, 12, 100)):  # the last batch has 8
    outputs = net(text)
""",
    ),
    Case(
        GH + "bentrevett/pytorch-sentiment-analysis/issues/87",
        "rnn-hidden-size/fixed-batch",
        """
class LSTMClassifier(nn.Module):
    def __init__(self, batch_size, output_size, hidden_size, embedding_dim=768):
        super().__init__()
        self.batch_size, self.hidden_size = batch_size, hidden_size
        self.lstm = nn.LSTM(embedding_dim, hidden_size)
        self.label = nn.Linear(hidden_size, output_size)

    def forward(self, embedded):
        input = embedded.permute(1, 0, 2)
        h_0 = torch.zeros(1, self.batch_size, self.hidden_size)
        c_0 = torch.zeros(1, self.batch_size, self.hidden_size)
        output, (final_hidden_state, _) = self.lstm(input, (h_0, c_0))
        return self.label(final_hidden_state[-1])

model = LSTMClassifier(batch_size=32, output_size=3, hidden_size=128)
logits = model(torch.randn(16, 40, 768))
""",
    ),
    Case(
        GH + "pytorch/pytorch/pull/3925",
        "rnn-hidden-ndim",
        """
src_embedding = nn.Embedding(100, 32)
encoder = nn.LSTM(32, 256)
input_src = torch.randint(0, 100, (10, 64))
h0 = torch.zeros(64, 256)
c0 = torch.zeros(64, 256)
src_h, (src_h_t, src_c_t) = encoder(src_embedding(input_src), (h0, c0))
""",
    ),
    Case(
        GH + "MUST-Deep-Learning/KnowIt/issues/252",
        "rnn-hidden-size/fixed-batch",
        """
lstm = nn.LSTM(5, 256, batch_first=True)
batch_size = 16
hidden = (torch.zeros(1, batch_size, 256), torch.zeros(1, batch_size, 256))
for x in (torch.randn(16, 10, 5), torch.randn(3, 10, 5)):
    out, _ = lstm(x, hidden)
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/3851",
        "rnn-hidden-size/batch-first",
        """
rnn = nn.RNN(10, 20, 2, batch_first=True)
input = torch.randn(5, 3, 10)  # (seq_len, batch, features), as in the docs' example
h0 = torch.randn(2, 3, 20)
output, hn = rnn(input, h0)
""",
    ),
    Case(
        GH + "zalandoresearch/pytorch-ts/issues/100",
        "rnn-input-size/wrong-input-size",
        """
class DeepAR(nn.Module):
    def __init__(self, input_size):
        super().__init__()
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=40, num_layers=2, batch_first=True)

    def forward(self, inputs):
        return self.rnn(inputs)[0]

net = DeepAR(input_size=57)  # computed from the wrong number of lags
features = torch.randn(32, 24, 62)
out = net(features)
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/5860",
        "rnn-input-size/wrong-input-size",
        """
lstm = nn.LSTM(3, 2)
input = torch.randn(6, 4, 5)
out, hidden = lstm(input)
""",
    ),
    # -- losses -----------------------------------------------------------------------------------------------
    Case(
        GH + "ray-project/ray/issues/17117",
        "bce-input-range/logits",
        """
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))  # no sigmoid at the end
criterion = torch.nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
x = torch.randn(64, 2)
y = (x.sum(1, keepdim=True) > 0).float()
loss = criterion(model(x), y)
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/123339",
        "bce-target-range",
        """
criterion = torch.nn.BCELoss()
probs = torch.sigmoid(torch.randn(4))
ratings = torch.tensor([1.0, 2.0, 0.0, 2.0])  # labels 0/1/2 from the csv
loss = criterion(probs, ratings)
""",
    ),
    Case(
        GH + "deepset-ai/FARM/issues/100",
        "loss-batch-size-mismatch/onehot-flattened",
        """
loss_fct = nn.CrossEntropyLoss()
logits = torch.randn(8, 4)
label_ids = F.one_hot(torch.randint(0, 4, (8,)), 4)
loss = loss_fct(logits, label_ids.view(-1))
""",
    ),
    Case(
        GH + "uoguelph-mlrg/Cutout/issues/16",
        "loss-batch-size-mismatch/view-mixes-batch",
        """
class WideResNetHead(nn.Module):
    def __init__(self, channels=64, num_classes=10):
        super().__init__()
        self.channels = channels
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, out):
        out = F.avg_pool2d(out, 4)  # written for 32x32 inputs, the feature map here is 8x8
        out = out.view(-1, self.channels)
        return self.fc(out)

head = WideResNetHead()
criterion = nn.CrossEntropyLoss()
pred = head(torch.randn(32, 64, 8, 8))
loss = criterion(pred, torch.randint(0, 10, (32,)))
""",
    ),
    Case(
        GH + "sunjesse/shape-attentive-unet/issues/8",
        "loss-batch-size-mismatch/target-missing-batch",
        """
crit = nn.CrossEntropyLoss()
p = torch.randn(1, 4, 256, 256)
mask = torch.randint(0, 4, (256, 256))
loss = crit(p, mask.long())
""",
    ),
    Case(
        GH + "deepchem/deepchem/issues/2323",
        "loss-ce-target-2d/column",
        """
output = torch.randn(16, 2)
labels = torch.randint(0, 2, (16, 1))
loss = torch.nn.CrossEntropyLoss(reduction="none")(output, labels)
""",
    ),
    Case(
        GH + "zergtant/pytorch-handbook/issues/37",
        "loss-ce-target-2d/column",
        """
import numpy as np
train_lab = np.random.randint(0, 2, size=(100, 1))
net = nn.Linear(24, 2)
criterion = nn.CrossEntropyLoss()
x = torch.randn(100, 24)
y = torch.from_numpy(train_lab).long()
y_hat = net(x)
loss = criterion(y_hat, y)
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/56542",
        "loss-ce-target-2d/column",
        """
simple_net = nn.Linear(3, 4)
loss_ce = nn.CrossEntropyLoss()
input = torch.randn(3, 3)
pred = simple_net(input)
target = torch.empty(3, 1, dtype=torch.long).random_(4)  # shaped (N, 1) as BCEWithLogits wanted
output = loss_ce(pred, target)
""",
    ),
    Case(
        GH + "qubvel-org/segmentation_models.pytorch/issues/197",
        "loss-ce-target-dtype",
        """
model = nn.Conv2d(3, 2, 1)
loss = nn.CrossEntropyLoss()
x = torch.rand(2, 3, 16, 16)
y = (torch.rand(2, 16, 16) > 0.5).float()  # masks loaded as float images
prediction = model(x)
value = loss(prediction, y)
""",
    ),
    Case(
        GH + "burlachenkok/flpytorch/pull/14",
        "loss-ce-target-dtype",
        """
def compute_loss(model, data, label):
    return F.cross_entropy(model(data), label)

model = nn.Linear(10, 5)
data = torch.randn(6, 10)
label = torch.tensor([0, 1, 4, 2, 3, 1], dtype=torch.float32)
loss = compute_loss(model, data, label)
""",
    ),
    Case(
        GH + "dumitrescustefan/Romanian-Transformers/pull/6",
        "loss-ce-target-dtype",
        """
import numpy as np
logits = torch.randn(4, 3, requires_grad=True)
labels = torch.from_numpy(np.array([0, 2, 1, 1], dtype=np.int32))  # int32 on Windows
loss = nn.CrossEntropyLoss()(logits, labels)
""",
    ),
    Case(
        GH + "milesial/Pytorch-UNet/issues/93",
        "loss-ce-onehot-target",
        """
criterion = nn.CrossEntropyLoss()
masks_pred = torch.randn(1, 8, 33, 48)
classes = torch.randint(0, 8, (1, 33, 48))
true_masks = F.one_hot(classes, 8).permute(0, 3, 1, 2).long()  # one channel per class
loss = criterion(masks_pred, true_masks)
""",
    ),
    Case(
        GH + "hunkim/PyTorchZeroToAll/issues/38",
        "loss-ce-target-dtype",
        """
import numpy as np
xy = np.random.rand(32, 9).astype(np.float32)
x_data = torch.from_numpy(xy[:, 0:-1])
y_data = torch.from_numpy(np.random.randint(0, 3, 32).astype(np.float32))
model = nn.Linear(8, 3)
criterion = nn.CrossEntropyLoss()
loss = criterion(model(x_data), y_data)
""",
    ),
    # -- indexing and in-place writes ----------------------------------------------------------------------
    Case(
        GH + "pytorch/pytorch/issues/63935",
        "index-put-dtype",
        """
x = torch.zeros((3, 3, 3), dtype=torch.float32)
y = torch.tensor(5, dtype=torch.float64)
x[:, :, 1] = y
x[[0, 1, 2], :, 1] = y
""",
    ),
    Case(
        GH + "tzt101/INADE/issues/2",
        "index-put-dtype",
        """
tmp = torch.tensor([[0., 3., 3.], [7., 7., 0.]])  # an instance map read as float
ori_idx, new_idx = [3, 7], [1, 2]
for idx in range(len(ori_idx)):
    mask = tmp == ori_idx[idx]
    tmp[mask] = torch.full((int(mask.sum()),), new_idx[idx])
""",
    ),
    Case(
        GH + "ZheLi2020/TimestampActionSeg/issues/6",
        "index-put-dtype",
        """
import numpy as np
boundary_target = torch.full((2, 10), -100, dtype=torch.long)
timestamps = torch.from_numpy(np.array([2, 5, 7], dtype=np.int32))
boundary_target[0, [1, 4, 6]] = timestamps
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/69204",
        "inplace-expanded-write",
        """
J = torch.eye(2).unsqueeze(0).expand(5, 2, 2)
for i in range(2):
    J[:, i, :] = torch.randn([5, 2])
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/42726",
        "inplace-expanded-write",
        """
weight = torch.rand(4, 4, 4, 4)
weight_shape = weight.size()
ones = torch.ones(4)
new_w = ones[:, None, None, None].expand_as(weight)
new_w[0] = torch.zeros(weight_shape[1:])
""",
    ),
    Case(
        GH + "huangleiBuaa/IterNorm-pytorch/issues/2",
        "inplace-expanded-write",
        """
class IterNorm(nn.Module):
    def __init__(self, num_channels, num_groups=4):
        super().__init__()
        self.register_buffer("running_wm", torch.eye(num_channels).expand(num_groups, num_channels, num_channels))

    def forward(self, x):
        self.running_wm.mul_(0.9)
        return x

norm = IterNorm(8)
out = norm(torch.randn(2, 8))
""",
    ),
    Case(
        GH + "khorrams/IGOS_pp/issues/2",
        "inplace-overlap",
        """
losses = torch.rand(6)
base_losses = torch.rand(6)
indices = torch.ones(6, dtype=torch.bool)
indices[indices] = losses > base_losses[indices]
""",
    ),
    Case(
        GH + "wendelinboehmer/dcg/pull/19",
        "inplace-overlap",
        """
output = list(torch.randn(2, 3, 4, 4).unbind(0))
output = torch.stack(output)
output[1] = output[1].transpose(dim0=-2, dim1=-1)
""",
    ),
    # -- a learner's first errors --------------------------------------------------------------------------
    Case(
        GH + "pytorch/pytorch/issues/4697",
        "module-not-found/not-installed",
        """
import torchvision
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/2463",
        "module-not-found/not-installed",
        """
import torch
from torch.utils.data import Dataset
import torchvision.transforms as transforms
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/1052",
        "module-not-found/not-installed",
        """
import torch
import torchvision
import torchvision.transforms as transforms
transform = transforms.Compose([transforms.ToTensor()])
""",
    ),
    Case(
        GH + "aws/sagemaker-experiments/issues/117",
        "module-not-found/not-installed",
        """
from torchvision import datasets, transforms
train_set = datasets.MNIST("mnist", train=True, download=True)
""",
    ),
    Case(
        GH + "sdsubhajitdas/Brain-Tumor-Segmentation/issues/6",
        "name-error/self-attribute",
        """
class BrainTumorClassifier:
    def __init__(self, model, device):
        self.model = model
        self.device = device

    def predict(self, image):
        image = image.to(device)
        return self.model(image)

classifier = BrainTumorClassifier(nn.Conv2d(1, 1, 3), torch.device("cpu"))
mask = classifier.predict(torch.rand(1, 1, 8, 8))
""",
    ),
    Case(
        GH + "abhimishra91/transformers-tutorials/pull/11",
        "name-error/typo",
        """
device = "cpu"
model = nn.Linear(4, 2).to(device)
for ids, targets in [(torch.randn(3, 4), torch.tensor([0, 1, 1]))]:
    ids = ids.to(dev)
    outputs = model(ids)
""",
    ),
    Case(
        GH + "WenmuZhou/PytorchOCR/pull/93",
        "name-error/not-imported",
        """
def build_optimizer(params, lr):
    from torch import optim
    return optim.Adam(params, lr=lr)

def build_scheduler(optimizer, step_size, gamma):
    return optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)

model = nn.Linear(4, 2)
optimizer = build_optimizer(model.parameters(), 1e-3)
scheduler = build_scheduler(optimizer, 10, 0.1)
""",
    ),
    Case(
        GH + "horovod/horovod/pull/1043",
        "name-error/not-imported",
        """
model = nn.Linear(4, 2)
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
""",
    ),
    # -- BatchNorm with one value per channel -----------------------------------------------------------------
    Case(
        GH + "MCG-NKU/SCNet/issues/8",
        "batchnorm-single-sample/inference",
        """
class SCNetHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Conv2d(64, 16, 1), nn.BatchNorm2d(16), nn.ReLU())

    def forward(self, x):
        return self.fc(self.pool(x))

model = SCNetHead()
img = torch.rand(1, 64, 56, 56)  # the example classifies one picture
with torch.no_grad():
    out = model(img)
""",
    ),
    Case(
        GH + "huanghoujing/beyond-part-models/issues/20",
        "batchnorm-single-sample/inference",
        """
local_conv = nn.Sequential(nn.Conv2d(2048, 256, 1), nn.BatchNorm2d(256), nn.ReLU(inplace=True))
feat = torch.rand(1, 2048, 24, 8)
stripe = F.avg_pool2d(feat[:, :, :4, :], (4, 8))
local_feat = local_conv(stripe)
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/46818",
        "batchnorm-single-sample/layer-in-forward",
        """
class MLP(nn.Module):
    def __init__(self, num_features, num_hiddens, num_outputs):
        super(MLP, self).__init__()
        self.num_features, self.num_hiddens, self.num_outputs = num_features, num_hiddens, num_outputs

    def forward(self, X):
        X = nn.Linear(self.num_features, self.num_hiddens)(X)
        X = nn.BatchNorm1d(self.num_hiddens)(X)
        return nn.Linear(self.num_hiddens, self.num_outputs)(torch.tanh(X))

net = MLP(331, 1150, 1)
net.eval()
pred = net(torch.randn(1, 331))
""",
    ),
    Case(
        GH + "zhanghang1989/ResNeSt/issues/46",
        "batchnorm-single-sample/inference",
        """
class SplAtConv2d(nn.Module):
    def __init__(self, channels=64, radix=2):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, 32, 1)
        self.bn1 = nn.BatchNorm2d(32)

    def forward(self, x):
        gap = F.adaptive_avg_pool2d(x, 1)
        return F.relu(self.bn1(self.fc1(gap)))

layer = SplAtConv2d()
out = layer(torch.rand(1, 64, 14, 14))  # trying the module out on one sample
""",
    ),
    Case(
        GH + "jurgisp/pydreamer/issues/7",
        "batchnorm-single-sample/inference",
        """
policy = nn.Sequential(nn.Linear(32, 64), nn.BatchNorm1d(64), nn.ELU(), nn.Linear(64, 4))
observation = torch.randn(1, 32)  # the generator acts in one environment
with torch.no_grad():
    action_logits = policy(observation)
""",
    ),
    Case(
        GH + "leaderj1001/BottleneckTransformers/issues/18",
        "batchnorm-single-sample/training",
        """
from torch.utils.data import DataLoader, TensorDataset
model = nn.Sequential(nn.Conv2d(3, 512, 3, stride=4), nn.AdaptiveAvgPool2d(1), nn.BatchNorm2d(512),
                      nn.Flatten(), nn.Linear(512, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = DataLoader(TensorDataset(torch.rand(4, 3, 32, 32), torch.randint(0, 10, (4,))), batch_size=1)
for data, target in loader:
    loss = F.cross_entropy(model(data), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    ),
    # -- convolutions fed the wrong channels -----------------------------------------------------------------
    Case(
        GH + "lucidrains/vit-pytorch/issues/54",
        "conv-in-channels/grayscale",
        """
resnet_stem = nn.Sequential(nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False),
                            nn.BatchNorm2d(64), nn.ReLU())
img = torch.randn(64, 1, 224, 224)  # grayscale scans
preds = resnet_stem(img)
""",
    ),
    Case(
        GH + "jacobgil/pytorch-grad-cam/issues/141",
        "conv-in-channels/grayscale",
        """
model = nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
input_tensor = torch.rand(1, 1, 100, 100)
grayscale_cam = model(input_tensor)
""",
    ),
    Case(
        GH + "eriklindernoren/PyTorch-YOLOv3/issues/401",
        "conv-in-channels/grayscale",
        """
class Darknet(nn.Module):
    def __init__(self):
        super().__init__()
        self.module_list = nn.ModuleList([nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.LeakyReLU(0.1))])

    def forward(self, x):
        for module in self.module_list:
            x = module(x)
        return x

model = Darknet()
input_imgs = torch.rand(1, 1, 416, 416)  # a single-channel SAR image
detections = model(input_imgs)
""",
    ),
    Case(
        GH + "clovaai/mxfont/issues/14",
        "conv-in-channels/rgb-into-gray",
        """
class StyleEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU())

    def forward(self, x):
        return self.layers(x)

enc = StyleEncoder()
glyphs = torch.rand(8, 3, 128, 128)  # glyph images read as RGB
feats = enc(glyphs)
""",
    ),
    Case(
        GH + "midasklr/facelandmarks/issues/4",
        "conv-in-channels/channels-last",
        """
import numpy as np
pnet = nn.Sequential(nn.Conv2d(3, 10, 3), nn.PReLU(10), nn.MaxPool2d(2, 2))
img = np.random.rand(361, 424, 3).astype(np.float32)  # as cv2.imread returns it (H, W, C)
tensor = torch.from_numpy(img).unsqueeze(0)
out = pnet(tensor)
""",
    ),
    Case(
        GH + "arnab39/cycleGAN-PyTorch/issues/5",
        "conv-in-channels/previous-layer",
        """
generator = nn.Sequential(
    nn.ReflectionPad2d(3), nn.Conv2d(1, 64, 7), nn.InstanceNorm2d(64), nn.ReLU(True),
    nn.ReflectionPad2d(3), nn.Conv2d(1, 64, 7),  # in_channels changed to 1 everywhere for grayscale
)
fake = generator(torch.rand(5, 1, 70, 70))
""",
    ),
    # -- checkpoints -------------------------------------------------------------------------------------------
    Case(
        GH + "gpoesia/minimo/pull/21",
        "load-weights-only",
        """
torch.save(nn.Sequential(nn.Linear(16, 16), nn.ReLU()), "/tmp/policy.pt")  # the whole model
policy = torch.load("/tmp/policy.pt")
""",
    ),
    Case(
        GH + "line/open-universe/pull/8",
        "load-weights-only",
        """
import argparse
checkpoint = {"state_dict": nn.Linear(4, 4).state_dict(),
              "hyper_parameters": argparse.Namespace(n_fft=512, hop=128)}  # Hydra-like config
torch.save(checkpoint, "/tmp/universe.ckpt")
ckpt = torch.load("/tmp/universe.ckpt", map_location="cpu")
""",
    ),
    Case(
        GH + "yzhangcs/parser/pull/148",
        "load-weights-only",
        """
import argparse
state = {"args": argparse.Namespace(n_words=100, n_embed=50), "state_dict": nn.Embedding(100, 50).state_dict()}
torch.save(state, "/tmp/parser.pt")
state = torch.load("/tmp/parser.pt")
""",
    ),
    Case(
        GH + "e3nn/e3nn/issues/519",
        "load-weights-only",
        """
import io
import numpy as np
buffer = io.BytesIO()
torch.save({"lmax": np.int64(2), "w": torch.randn(3)}, buffer)  # a numpy scalar in the file
buffer.seek(0)
data = torch.load(buffer)
""",
    ),
    Case(
        GH + "amberwangyili/neurop/issues/1",
        "state-dict-not-model",
        """
torch.save(nn.Conv2d(3, 3, 1).state_dict(), "/tmp/neurop_init.pth")
model = torch.load("/tmp/neurop_init.pth")
model = model.to("cpu")
""",
    ),
    Case(
        GH + "pytorch/vision/issues/1452",
        "state-dict-not-model",
        """
torch.save(nn.Sequential(nn.Conv2d(3, 21, 1)).state_dict(), "/tmp/deeplab.pth")
model = torch.load("/tmp/deeplab.pth")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
""",
    ),
    Case(
        GH + "AlexMeinke/certified-certain-uncertainty/issues/1",
        "state-dict-not-model",
        """
device = torch.device("cpu")
torch.save(nn.Linear(8, 2).state_dict(), "/tmp/base.pth")
model_list = [torch.load(file).to(device) for file in ["/tmp/base.pth"]]
""",
    ),
    Case(
        GH + "samsledje/D-SCRIPT/issues/49",
        "state-dict-not-model",
        """
torch.save(nn.Linear(100, 1).state_dict(), "/tmp/dscript_human_v2.pt")
model = torch.load("/tmp/dscript_human_v2.pt").cuda()
""",
    ),
    Case(
        GH + "piergiaj/super-events-cvpr18/issues/2",
        "state-dict-not-model",
        """
torch.save(nn.Conv1d(1024, 65, 1).state_dict(), "/tmp/cvpr_charades_rgb_final")
rgb_model = torch.load("/tmp/cvpr_charades_rgb_final")
rgb_model.eval()
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/2767",
        "state-dict-not-model",
        """
resnet = nn.Sequential()
resnet.add_module("fc", nn.Linear(512, 1000))
torch.save(resnet.state_dict(), "/tmp/resnet34-333f7ec4.pth")
model_ft = torch.load("/tmp/resnet34-333f7ec4.pth")
num_ftrs = model_ft.fc.in_features
""",
    ),
    # -- embeddings and autograd ---------------------------------------------------------------------------------
    Case(
        GH + "ajhalthor/Transformer-Neural-Network/issues/13",
        "index-out-of-range-in-self/ids-too-large",
        """
kannada_vocabulary = [chr(0x0C80 + i) for i in range(60)]
vocab_size = len(kannada_vocabulary)
embedding = nn.Embedding(vocab_size, 512)
sentence = "\\u0C95\\u0CA8\\u0CCD\\u0CA8\\u0CA1 \\u0CE7\\u0CE8"
ids = torch.tensor([[ord(c) - 0x0C80 for c in sentence.replace(" ", "")]])
x = embedding(ids)
""",
    ),
    Case(
        GH + "osmr/imgclsmob/issues/13",
        "inplace-modified-saved-tensor/inplace-relu",
        """
class XceptionBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.skip = nn.Conv2d(8, 8, 1)
        self.activ = nn.ReLU(inplace=True)

    def forward(self, x):
        skip = self.skip(x)  # saves x for its backward
        x = self.activ(x)    # ReLU(inplace=True) overwrites x
        return self.conv(x) + skip

net = nn.Sequential(nn.Conv2d(3, 8, 1), XceptionBlock())
loss = net(torch.randn(2, 3, 8, 8)).sum()
loss.backward()
""",
    ),
    Case(
        GH + "lyongo/NWPU-MOC/issues/4",
        "inplace-modified-saved-tensor/inplace-op",
        """
lateral_convs = nn.ModuleList([nn.Conv2d(16, 8, 1), nn.Conv2d(32, 8, 1)])
feats = [torch.randn(1, 16, 16, 16), torch.randn(1, 32, 8, 8)]
laterals = [F.relu(conv(f)) for conv, f in zip(lateral_convs, feats)]
for i in range(len(laterals) - 1, 0, -1):
    prev_shape = laterals[i - 1].shape[2:]
    laterals[i - 1] += F.interpolate(laterals[i], size=prev_shape, mode="nearest")
loss = sum(l.sum() for l in laterals)
loss.backward()
""",
    ),
    Case(
        GH + "AggMan96/RK-Net/issues/9",
        "inplace-modified-saved-tensor/inplace-op",
        """
conv = nn.Conv2d(4, 1, 3, padding=1)
x = torch.randn(8, 4, 96, 96)
att = torch.relu(conv(x))
att[:, :, :, 0] = 0
att[:, :, :, -1] = 0
loss = (att * x).mean()
loss.backward()
""",
    ),
    Case(
        GH + "microsoft/unilm/pull/999",
        "inplace-modified-saved-tensor/inplace-op",
        """
class ConvModule(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.conv = nn.Conv1d(dim, dim, 3, padding=1)

    def forward(self, x):
        x = torch.sigmoid(x)
        x_conv = self.conv(x)
        x += x_conv
        return x

block = ConvModule()
out = block(torch.randn(4, 32, 24))
out.sum().backward()
""",
    ),
    Case(
        GH + "pytorch/pytorch/issues/5687",
        "inplace-modified-saved-tensor",
        """
relu = nn.ReLU(inplace=True)
a = torch.randn(10, requires_grad=True)
b = a * 2
c = relu(b)
c += 1
c.sum().backward()
""",
        decided=False,
    ),
]
