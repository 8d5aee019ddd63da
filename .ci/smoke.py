"""A user's first session with the installed wheel (.ci/package runs it outside the checkout).

It must import the installed package (not a source tree), compute the lecture neuron's
gradients, draw and save a picture (through pygraphviz when Graphviz's `dot` is not on
PATH), train a small network, save and load it, and write the step-through page.
"""

import os
import shutil
import sys
import sysconfig
import tempfile

import engine
import nn
from engine import Value, draw_dot, gradcheck, save_steps_html

site = os.path.realpath(sysconfig.get_paths()['purelib'])
for package in (engine, nn):
    where = os.path.realpath(package.__file__)
    assert where.startswith(site + os.sep), f"{package.__name__} comes from {where}, not {site}"

x, w, b = Value(2.0, 'x'), Value(-3.0, 'w'), Value(6.8813735870195432, 'b')
out = (x * w + b).tanh()
out.backward()
assert abs(x.grad + 1.5) < 1e-12 and abs(b.grad - 0.5) < 1e-12, (x.grad, b.grad)
assert gradcheck(lambda a, c: (a * c + a.exp()).tanh(), [0.3, -0.7])

folder = tempfile.mkdtemp()
picture = draw_dot(out)
assert picture.source.startswith('digraph')
picture.save(os.path.join(folder, 'neuron.png'))
picture.save(os.path.join(folder, 'neuron.svg'))
with open(os.path.join(folder, 'neuron.png'), 'rb') as f:
    assert f.read(4) == b'\x89PNG'
save_steps_html(out, os.path.join(folder, 'steps.html'))

X, y = nn.data.xor()
model = nn.MLP(2, [4, 1], activation='tanh', seed=0)
history = nn.fit(model, X, y, loss='hinge', optimizer='adam', lr=0.05, epochs=200,
                 progress=False)
assert history.accuracy == 1.0, history.accuracy
nn.save(model, os.path.join(folder, 'model.json'))
again = nn.load(os.path.join(folder, 'model.json'))
assert again.predict(X) == model.predict(X)
nn.plot.loss_curve(history).figure.savefig(os.path.join(folder, 'loss.png'))

renderer = 'dot' if shutil.which('dot') else 'pygraphviz'
shutil.rmtree(folder)
print(f"smoke: the installed scalargrad {nn.__name__}/{engine.__name__} from {site} works on "
      f"Python {sys.version.split()[0]} (pictures drawn by {renderer})")
