# id: modules-save-load-state-dict
# title: Saving and loading a state_dict
# title_zh: 保存与加载 state_dict
# topic: modules
# source: 002_e725bbdd62884fee.txt
# notice: `torch.save(model.state_dict(), f)` stores parameters and buffers by name; a fresh model
#   of the same architecture loads them with `load_state_dict`. An in-memory buffer stands in for a
#   file here.
# notice_zh: `torch.save(model.state_dict(), f)` 按名字保存参数和 buffer；结构相同的新模型
#   用 `load_state_dict` 加载它们。这里用内存缓冲区代替文件。
# expect: ok
# order: 110

import io

model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
buffer = io.BytesIO()  # instead of a file
torch.save(model.state_dict(), buffer)

buffer.seek(0)
restored = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
restored.load_state_dict(torch.load(buffer))
print(torch.equal(model[0].weight, restored[0].weight))
print(list(restored.state_dict().keys()))  # includes the BatchNorm buffers
