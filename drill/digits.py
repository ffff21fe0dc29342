"""The handwritten digits and the settings of `drill digits`, read with the standard library, so
the training in the grader's child, the parent that draws it and the benchmarks use the same
images, split and scaled the same way.

The data: the 1,797 8x8 images of the UCI "Optical Recognition of Handwritten Digits" set
(E. Alpaydin and C. Kaynak; CC BY 4.0), as scikit-learn ships them: one image a line, 64 grey
levels 0..16 row by row from the top left, then the digit. drill keeps that file inside the
package (drill/data/digits.csv.gz, 57 kB), so nothing is fetched at run time.

The split is fixed and stratified, with no randomness to seed: of each digit's images, in the
file's order, every fifth is held out (355 images), the other 1,442 train. The network sees grey
levels divided by 32, so every input lies in 0..0.5: with 64 inputs and weights drawn from
-1..1, the first layer's tanh starts away from its flat ends (in a trial in plain floats, the
default 80 steps read 92-95 % of the held-out digits over six seeds of the weights, against
87-92 % with inputs in 0..1 at the learning rate that suited those best).
"""
import csv
import gzip
import os
from dataclasses import asdict, dataclass

FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.csv.gz")
SIDE = 8  # pixels a side
LEVELS = 16  # the darkest grey level
CLASSES = 10
HELD_OUT = 5  # of each digit's images, every HELD_OUT-th is held out
SCALE = 32  # the network's input is the grey level divided by this
TRAIN_SAMPLE = 4  # the training accuracy is measured on every TRAIN_SAMPLE-th training image


def images(path=FILE):
    """Every image of the file as (64 grey levels 0..16, the digit), in the file's order."""
    with gzip.open(path, "rt", encoding="ascii", newline="") as f:
        return [([int(cell) for cell in row[:-1]], int(row[-1])) for row in csv.reader(f) if row]


def split(found):
    """(train, test) of `found` (pairs as `images` gives them): of each digit's images, in
    order, every HELD_OUT-th goes to test, so both keep the data's mix of digits."""
    train, test, seen = [], [], {}
    for pixels, digit in found:
        seen[digit] = seen.get(digit, 0) + 1
        (test if seen[digit] % HELD_OUT == 0 else train).append((pixels, digit))
    return train, test


def scaled(pixels):
    """Grey levels 0..16 as the network's inputs, 0..0.5."""
    return [level / SCALE for level in pixels]


def share_right(guesses, digits):
    """The share of `guesses` equal to their `digits`; None when nothing was guessed."""
    return sum(g == d for g, d in zip(guesses, digits)) / len(digits) if guesses else None


def dataset(path=FILE):
    """(X_train, y_train, X_test, y_test): scaled inputs and digits, split as `split` says."""
    train, test = split(images(path))
    return ([scaled(p) for p, _ in train], [d for _, d in train],
            [scaled(p) for p, _ in test], [d for _, d in test])


@dataclass(frozen=True)
class Settings:
    """One training of `drill digits`: classifier(64, hidden, 10), `steps` calls of fit_digits
    of one step each on `batch` images, with a learning rate that falls linearly from `lr` to a
    tenth of it (as moons' fit does), the batches drawn from `seed` onwards. A speedrun's last
    split trains the same way, checking the held-out accuracy every `check_every` steps, and
    stops once it reaches the run's goal."""
    hidden: tuple = (16,)
    steps: int = 80
    batch: int = 32
    lr: float = 2.0
    seed: int = 0
    check_every: int = 20

    def rate(self, step):
        """The learning rate of step `step` (from 0)."""
        return self.lr * (1.0 - 0.9 * step / self.steps)

    def to_dict(self):
        return {**asdict(self), "hidden": list(self.hidden)}
