"""Supporter fundraising pages for tests: made through the real services (so a photo is re-encoded
exactly as an upload is), then approved by a staff member when asked."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from campaigns.supporter_pages import supporter_page_approve, supporter_page_create

from .accounts import UserFactory

SECRET_PLACE = "12 Hidden Lane, Maplewood"
SECRET_CAMERA = "SecretCam 3000"


def photo_with_gps(
    *, size=(2400, 1800), name="IMG_2041.jpg", orientation: int | None = None
) -> SimpleUploadedFile:
    """A JPEG as a phone writes it: EXIF with a GPS position, the camera, an orientation; an XMP
    packet, an ICC profile and a comment naming a place."""
    image = Image.new("RGB", size, (180, 90, 40))
    for x in range(0, size[0], 50):  # some detail, so the encoder has work
        image.paste((20, 120, 200), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_CAMERA
    exif[ExifTags.Base.ImageDescription] = SECRET_PLACE
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (79.0, 58.0, 56.0),
        }
    )
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Maplewood"/>'
        b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    from PIL import ImageCms  # noqa: PLC0415

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=exif.tobytes(),
        xmp=xmp,
        icc_profile=icc,
        comment=SECRET_PLACE.encode(),
        quality=90,
    )
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def supporter_page(campaign, *, owner=None, approved=True, photo=None, **fields):
    owner = owner or UserFactory(email="runner@example.org")
    page = supporter_page_create(
        campaign=campaign,
        owner=owner,
        title=fields.pop("title", "Running 10 km for Safe Nights"),
        display_name=fields.pop("display_name", "Maria L."),
        story=fields.pop("story", "I run every spring, and this year every kilometre is for safe housing."),
        goal_amount=fields.pop("goal_amount", 50_000),
        photo=photo,
    )
    if approved:
        page = supporter_page_approve(page=page, reviewer=UserFactory(roles=["staff"]))
    return page
