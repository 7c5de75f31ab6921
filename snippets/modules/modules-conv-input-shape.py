conv = nn.Conv2d(in_channels=3, out_channels=8, kernel_size=3)
images = torch.randn(16, 3, 28, 28)
features = conv(images)
print(features.shape)

channels_last = torch.randn(16, 28, 28, 3)
features = conv(channels_last)
