#!/usr/bin/env python3
"""The generated scenes (`unseg make-dataset --kind coco`) as an ADE20K-layout dataset with dense label maps:
each object's pixels its COCO category (1-4), every other pixel class 5, so that every pixel is labelled, as in
ADE20K's and Cityscapes' label maps. docs/formats.md measures the generator's designs on it.

Usage: /usr/bin/python3 tools/dense_scenes.py SCENES_DIR OUTPUT_DIR
  SCENES_DIR: make-dataset's output (images/ and annotations.json); OUTPUT_DIR gets images/training/*.jpg
  (quality 95) and annotations/training/*.png. Needs numpy and Pillow (Debian: python3-numpy, python3-pil).
"""
import json
import os
import sys

import numpy as np
from PIL import Image

from informed_thief import rle_mask  # COCO's compressed RLE, decoded as the mask API does


def main(scenes, output):
    index = json.load(open(os.path.join(scenes, 'annotations.json')))
    labels = {im['id']: np.full((im['height'], im['width']), 5, np.uint8) for im in index['images']}
    for a in index['annotations']:
        seg = a['segmentation']
        labels[a['image_id']][rle_mask(seg['counts'], *seg['size'])] = a['category_id']
    os.makedirs(os.path.join(output, 'images', 'training'), exist_ok=True)
    os.makedirs(os.path.join(output, 'annotations', 'training'), exist_ok=True)
    for im in index['images']:
        stem = os.path.splitext(im['file_name'])[0]
        Image.open(os.path.join(scenes, 'images', im['file_name'])).convert('RGB').save(
            os.path.join(output, 'images', 'training', stem + '.jpg'), quality=95)
        Image.fromarray(labels[im['id']]).save(os.path.join(output, 'annotations', 'training', stem + '.png'))
    print('%d scenes written to %s (pixels per class 1-5: %s)' % (len(index['images']), output,
          np.bincount(np.concatenate([l.ravel() for l in labels.values()]), minlength=6)[1:].tolist()))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
