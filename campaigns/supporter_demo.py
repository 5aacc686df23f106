"""The demo's supporter fundraising pages (called from campaigns.demo.seed): one approved, one waiting
for review, both owned by donor@haven.example, each with a photo generated here that carries an
EXIF GPS position, the camera and a comment, uploaded through the same service as a supporter's
upload, so the stored copies (under MEDIA_ROOT/supporter-pages/) show the stripping at work:
`python -c "from PIL import Image; print(Image.open(path).getexif())"` prints an empty mapping."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw

from .models import Campaign, SupporterPage
from .supporter_pages import supporter_page_approve, supporter_page_create

PAGES = [
    {
        "campaign": "safe-nights",
        "title": "Running the city half marathon for Safe Nights",
        "display_name": "Dana R.",
        "story": (
            "I have run the half marathon every spring for six years. This year every kilometre is for "
            "Safe Nights: a bed tonight for someone who needs one.\n\nIf you can, sponsor a kilometre or "
            "two. Thank you for cheering me on."
        ),
        "goal": 75_000,
        "approved": True,
        "colours": ((29, 78, 95), (255, 191, 71)),
    },
    {
        "campaign": "safe-nights",
        "title": "Birthday bake sale for Safe Nights",
        "display_name": "Dana R.",
        "story": (
            "Instead of presents this year, I am baking for a cause. Every cake sold helps pay for "
            "safe housing."
        ),
        "goal": 30_000,
        "approved": False,
        "colours": ((138, 59, 18), (243, 246, 247)),
    },
]


def demo_photo(colours, *, name: str) -> SimpleUploadedFile:
    """A 1800 x 1200 picture (a sky and a sun) as a phone would save it: EXIF with a GPS position."""
    top, bottom = colours
    image = Image.new("RGB", (1800, 1200))
    draw = ImageDraw.Draw(image)
    for y in range(1200):
        t = y / 1199
        draw.line(
            [(0, y), (1800, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    draw.ellipse((1150, 250, 1550, 650), fill=(255, 236, 179))
    draw.rectangle((0, 950, 1800, 1200), fill=(30, 107, 52))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoPhone"
    exif[ExifTags.Base.Model] = "Demo 12 Pro"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (40.0, 44.0, 54.36),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (73.0, 59.0, 8.36),
        }
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"Taken at home", quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def supporter_pages_seed(*, staff=None) -> None:
    from accounts.models import User  # noqa: PLC0415 (the accounts seed made the logins first)

    owner = User.objects.filter(email="donor@haven.example").first()
    if owner is None:
        return
    for spec in PAGES:
        campaign = Campaign.objects.filter(slug=spec["campaign"], is_published=True).first()
        if campaign is None or SupporterPage.objects.filter(campaign=campaign, title=spec["title"]).exists():
            continue
        page = supporter_page_create(
            campaign=campaign,
            owner=owner,
            title=spec["title"],
            display_name=spec["display_name"],
            story=spec["story"],
            goal_amount=spec["goal"],
            photo=demo_photo(spec["colours"], name="IMG_0412.jpg"),
        )
        if spec["approved"] and staff is not None:
            supporter_page_approve(page=page, reviewer=staff)
