"""The station's camera: capture backends, the ID photo, and QR reading from frames.

- :mod:`~station.camera.factory` opens the camera ``camera.device`` names (V4L2 webcams,
  the Pi camera through picamera2, video files and photos), lists and tests cameras;
  :mod:`~station.camera.diagnose` says why none works ("no camera detected").
- :mod:`~station.camera.resilient` survives a camera unplugged mid-session.
- :mod:`~station.camera.face` measures a frame for the photo rules of
  :mod:`station.core.photo_rules`; :mod:`~station.camera.id_photo` cuts the photo;
  :mod:`~station.camera.background` optionally flattens the background.
- :mod:`~station.camera.qr_reader` reads QR codes from stills and live frames.

No Kivy here: the touchscreen and the command line both call these through
``station/services``.
"""
