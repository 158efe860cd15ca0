"""Cut the ID photo out of a frame: the crop the rules chose, levelled, scaled, never stretched.

The card prints the photo frame (19 × 25.3 mm in the current template) at 300 dpi, i.e.
224 × 299 pixels (:func:`station.printer.card.photo_pixels`). The station stores it at twice
that (``STORE_SCALE``): the printer's 300 dpi is then an exact 2:1 reduction of the same
proportions, and the file also meets the 240 × 300 minimum that imported photos must have
(:data:`foundation.photostore.MIN_PHOTO_SIZE`), so it can travel to SCEJAL and back. The rules
refuse a crop with fewer than 299 pixels of height in the camera frame ("acércate"), so the
stored photo never holds less detail than the print needs.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from foundation.card_templates import CardTemplate, load_template
from station.core.photo_rules import Crop
from station.printer.card import photo_pixels

STORE_SCALE = 2
JPEG_QUALITY = 92


def print_pixels(template: CardTemplate | None = None) -> tuple[int, int]:
    """The photo frame of the card template, in pixels at the card's 300 dpi.

    >>> print_pixels()
    (224, 299)
    """
    box = (template or load_template()).photo.box
    return photo_pixels(box.w, box.h)


def stored_pixels(template: CardTemplate | None = None) -> tuple[int, int]:
    """Size of the stored photo: :func:`print_pixels` × :data:`STORE_SCALE`."""
    w, h = print_pixels(template)
    return w * STORE_SCALE, h * STORE_SCALE


def cut(image: np.ndarray, crop: Crop, size: tuple[int, int]) -> np.ndarray:
    """The ``crop`` of ``image`` (BGR) rotated upright and scaled to ``size`` (w, h).

    One similarity transform (rotation + uniform scale + shift), so nothing is distorted;
    pixels outside the frame (a crop touching the edge) repeat the border.

    >>> img = np.zeros((100, 100, 3), np.uint8); img[40:60, 40:60] = 255
    >>> out = cut(img, Crop(50, 50, 40, 40), (80, 80))
    >>> out.shape, int(out[40, 40, 0]), int(out[2, 2, 0])
    ((80, 80, 3), 255, 0)
    """
    out_w, out_h = size
    scale = out_h / crop.h
    matrix = cv2.getRotationMatrix2D((crop.cx, crop.cy), crop.angle_deg, scale)
    matrix[0, 2] += out_w / 2 - crop.cx
    matrix[1, 2] += out_h / 2 - crop.cy
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.warpAffine(image, matrix, (out_w, out_h), flags=flags,
                          borderMode=cv2.BORDER_REPLICATE)


def encode_jpeg(photo: np.ndarray, *, dpi: int = 300 * STORE_SCALE) -> bytes:
    """JPEG bytes of a BGR photo, with its dpi recorded (what the card will print at × 2)."""
    rgb = Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()
