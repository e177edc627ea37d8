"""Writes test/fixtures/vision.json: torchvision's tensor functional transforms on
small fixed images with fixed parameters, for test/transforms.test.ts.

Run with a pip-installed torch==2.11.0 and torchvision outside the repo:
    python scripts/make_vision_fixtures.py
"""
import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode as IM

torch.manual_seed(0)
# Two small images: uint8 1×12×10 (MNIST-like) and float 3×9×11 (RGB).
gray = torch.randint(0, 256, (1, 12, 10), dtype=torch.uint8)
rgb = torch.rand(3, 9, 11)
rgb_u8 = (rgb * 255).round().to(torch.uint8)

def enc(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.flatten().tolist()}

cases = []
def case(name, image, fn, args, out):
    cases.append({"name": name, "image": image, "fn": fn, "args": args, "out": enc(out)})

images = {"gray": gray, "rgb": rgb, "rgb_u8": rgb_u8}
for img in ["gray", "rgb"]:
    x = images[img]
    for angle in [30.0, -75.5, 90.0]:
        for interp in ["nearest", "bilinear"]:
            mode = IM.NEAREST if interp == "nearest" else IM.BILINEAR
            case(f"rotate {angle} {interp}", img, "rotate", {"angle": angle, "interpolation": interp, "fill": 0},
                 F.rotate(x, angle, interpolation=mode, fill=0))
    case("rotate 20 centre (2,3) fill 7", img, "rotate", {"angle": 20.0, "interpolation": "nearest", "fill": 7, "center": [2, 3]},
         F.rotate(x, 20.0, interpolation=IM.NEAREST, fill=7, center=[2, 3]))
    for (angle, tr, sc, sh, interp) in [(12.0, [2, -1], 1.1, [5.0, 0.0], "nearest"), (-30.0, [0, 3], 0.8, [-10.0, 4.0], "bilinear"),
                                        (0.0, [1, 1], 1.0, [0.0, 0.0], "nearest")]:
        mode = IM.NEAREST if interp == "nearest" else IM.BILINEAR
        case(f"affine {angle} {tr} {sc} {sh} {interp}", img, "affine",
             {"angle": angle, "translate": tr, "scale": sc, "shear": sh, "interpolation": interp, "fill": 0},
             F.affine(x, angle=angle, translate=tr, scale=sc, shear=sh, interpolation=mode, fill=0))
    case("resize 20x16 bilinear antialias", img, "resize", {"size": [20, 16]}, F.resize(x, [20, 16], antialias=True))
    case("resize 6 bilinear antialias (down)", img, "resize", {"size": 6}, F.resize(x, 6, antialias=True))
    case("resize 7x5 nearest", img, "resize", {"size": [7, 5], "interpolation": "nearest"}, F.resize(x, [7, 5], interpolation=IM.NEAREST))
    case("center_crop 5x7", img, "centerCrop", {"size": [5, 7]}, F.center_crop(x, [5, 7]))
    case("center_crop 14 (pads)", img, "centerCrop", {"size": 14}, F.center_crop(x, 14))
    for mode in ["constant", "edge", "reflect", "symmetric"]:
        case(f"pad [1,2,3,4] {mode}", img, "pad", {"padding": [1, 2, 3, 4], "paddingMode": mode, "fill": 5},
             F.pad(x, [1, 2, 3, 4], fill=5, padding_mode=mode))
    case("crop 2,3,5,4", img, "crop", {"top": 2, "left": 3, "height": 5, "width": 4}, F.crop(x, 2, 3, 5, 4))
    case("resized_crop 1,2,6,5 -> 12x10 (up)", img, "resizedCrop", {"top": 1, "left": 2, "height": 6, "width": 5, "size": [12, 10]},
         F.resized_crop(x, 1, 2, 6, 5, [12, 10], antialias=True))
    case("hflip", img, "hflip", {}, F.hflip(x))
case("rgb_to_grayscale float", "rgb", "rgbToGrayscale", {"numOutputChannels": 1}, F.rgb_to_grayscale(rgb))
case("rgb_to_grayscale uint8", "rgb_u8", "rgbToGrayscale", {"numOutputChannels": 1}, F.rgb_to_grayscale(rgb_u8))
case("rgb_to_grayscale uint8 x3", "rgb_u8", "rgbToGrayscale", {"numOutputChannels": 3}, F.rgb_to_grayscale(rgb_u8, 3).contiguous())
case("normalize", "rgb", "normalize", {"mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]}, F.normalize(rgb, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]))

out = {"torch": torch.__version__, "torchvision": torchvision.__version__,
       "images": {k: enc(v) for k, v in images.items()}, "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "vision.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")
