"""Draws the hand-made masks of samples/tiles/masks/ (mask-pairs sample): 255 = protect with eps.

Run from the repository root with Debian's Python and Pillow: /usr/bin/python3 samples/make_masks.py
The shapes were traced by eye over the photos; they are annotations made for this sample, not
ground truth from any dataset.
"""
from PIL import Image, ImageDraw

def mask(name, size, draw):
    img = Image.new("L", size, 0)
    draw(ImageDraw.Draw(img))
    img.save(f"samples/tiles/masks/{name}.png", optimize=True)

# The rocket: nose cone and body.
mask("rocket", (640, 427), lambda d: d.polygon([(322, 126), (307, 150), (307, 405), (337, 405), (337, 150)], fill=255))
# The cat's head.
mask("chelsea", (451, 300), lambda d: d.ellipse([40, 0, 400, 300], fill=255))
# A Landsat tile: a hand-drawn field polygon in the tile's centre.
mask("L7_ETMs", (349, 352), lambda d: d.polygon([(90, 120), (230, 80), (290, 200), (200, 290), (100, 250)], fill=255))
