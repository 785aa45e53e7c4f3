"""SHA-256 of Pillow's RGB decode of the JPEG test photos, the reading that training loaders use.

Run from the repository root with Debian's Pillow:
    /usr/bin/python3 pipeline/src/test/python/pillow_jpeg_digests.py > pipeline/src/test/resources/dev/unseg/pipeline/image/pillow-digests.txt
Pillow applies no ICC colour management: it gives libjpeg's YCbCr->RGB values.
"""
import hashlib
from PIL import Image

for path in ["samples/tiles/images/rocket.jpg", "samples/coco/val2017/000000142238.jpg",
             "samples/coco/val2017/000000439180.jpg", "samples/ade20k/images/validation/ADE_val_00000001.jpg"]:
    im = Image.open(path)
    icc = "icc" if im.info.get("icc_profile") else "no-icc"
    print(path, icc, hashlib.sha256(im.convert("RGB").tobytes()).hexdigest())
