"""Why no camera works, in words: facts gathered from the machine in, findings in Spanish out.

"No camera detected" after an operating-system upgrade is the most common complaint of
Raspberry Pi photo booths. The causes are few and each has a tell: no ``/dev/video*`` at all;
only the Pi's own video-processing nodes (codec, ISP), which are not cameras; the legacy
camera stack (``start_x=1``) enabled on a system that no longer has it; camera detection
switched off (``camera_auto_detect=0``); a camera libcamera sees but picamera2 is not installed
for the station's Python; a device node the station's user may not open (not in the ``video``
group); a camera another program holds; a camera that opens but delivers no frames.

The camera adapter gathers :class:`CameraFacts`; :func:`diagnose` turns them into findings.

>>> facts = CameraFacts(nodes=(), user="estacion", user_in_video_group=True)
>>> [f.code for f in diagnose(facts)]
['no-device']
"""

from __future__ import annotations

from dataclasses import dataclass, field

PI_INTERNAL_DRIVERS = ("bcm2835-codec", "bcm2835-isp", "rpivid", "pispbe", "rpi-hevc-dec",
                       "bcm2835-v4l2-codec", "hevc")
"""Names of Raspberry Pi video nodes that are decoders or image processors, not cameras."""


@dataclass(frozen=True, slots=True)
class VideoNode:
    """One ``/dev/videoN`` as the adapter found it.

    ``can_open``: None when not tried; ``is_capture``: the device says it captures video
    (False for codecs, ISPs and UVC metadata nodes; None when it could not be asked);
    ``delivers_frames``: None when not tried; ``held_by``: programs that have it open.
    """

    path: str
    name: str = ""
    can_open: bool | None = None
    permission_denied: bool = False
    is_capture: bool | None = None
    delivers_frames: bool | None = None
    held_by: tuple[str, ...] = ()

    @property
    def pi_internal(self) -> bool:
        return self.name.startswith(PI_INTERNAL_DRIVERS)


@dataclass(frozen=True, slots=True)
class CameraFacts:
    nodes: tuple[VideoNode, ...]
    user: str
    user_in_video_group: bool | None
    is_root: bool = False
    raspberry_pi: bool = False
    legacy_camera_enabled: bool = False
    """``start_x=1`` in config.txt (the pre-2021 camera stack)."""
    camera_auto_detect_off: bool = False
    """``camera_auto_detect=0`` in config.txt with no camera overlay named."""
    libcamera_cameras: int | None = None
    """Cameras libcamera lists (``rpicam-hello --list-cameras``); None when not available."""
    picamera2_installed: bool = False
    picamera2_cameras: int | None = None
    config_file: str = "/boot/firmware/config.txt"
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message_es: str
    way_out_es: str  # words for the kiosk: no command, path or setting
    command: str = ""  # the terminal side of the way out, for the command line only

    def text_es(self) -> str:
        return f"{self.message_es} {self.way_out_es}" + (
            f" En la terminal: {self.command}" if self.command else "")


def _cameras(facts: CameraFacts) -> list[VideoNode]:
    """Nodes that may be cameras: capture devices, or unknown ones that are not Pi-internal."""
    return [n for n in facts.nodes if n.is_capture is not False and not n.pi_internal]


def diagnose(facts: CameraFacts) -> list[Finding]:
    """What is wrong, most likely cause first; ``[]`` when a camera delivers frames.

    >>> node = VideoNode("/dev/video0", "UVC Camera", can_open=False, permission_denied=True)
    >>> f = diagnose(CameraFacts((node,), user="estacion", user_in_video_group=False))
    >>> f[0].code, f[0].command
    ('permission', 'sudo usermod -aG video estacion')
    """
    if any(n.delivers_frames for n in facts.nodes) or facts.picamera2_cameras:
        return []
    out: list[Finding] = []
    if facts.raspberry_pi:
        out += _pi_findings(facts)
    cameras = _cameras(facts)
    if not facts.nodes and not out:
        out.append(Finding(
            "no-device", "No hay ninguna cámara conectada: el sistema no muestra ningún "
            "dispositivo de video.",
            "Conecte la cámara USB directamente a la estación (no a un concentrador sin "
            "corriente), espere unos segundos y pruébela en Ajustes > Cámara. Si es la "
            "cámara de la Raspberry Pi, apague la estación y "
            "revise el cable plano.", command="station camera test"))
    elif facts.nodes and not cameras and not out:
        names = ", ".join(sorted({n.name for n in facts.nodes if n.name}))  # never a node path
        out.append(Finding(
            "no-capture-device", "Hay dispositivos de video" + (f" ({names})" if names else "")
            + " pero ninguno es una cámara.",
            "Conecte una cámara USB o revise la conexión de la cámara."))
    for node in cameras:
        out += _node_findings(node, facts)
    return out


def _pi_findings(facts: CameraFacts) -> list[Finding]:
    out = []
    if facts.legacy_camera_enabled:
        out.append(Finding(
            "legacy-stack", "La estación tiene activada la cámara «heredada», que ya no "
            "funciona desde Raspberry Pi OS Bullseye.",
            "Llame a su DRSE y dígales que hay que desactivar la cámara «heredada» (Legacy "
            "Camera) de la Raspberry Pi y reiniciar la estación.",
            command=f"quite la línea start_x=1 de {facts.config_file} (o desactive «Legacy "
            "Camera» en raspi-config), deje camera_auto_detect=1 y reinicie"))
    if facts.camera_auto_detect_off:
        out.append(Finding(
            "auto-detect-off", "La detección automática de la cámara de la Raspberry Pi "
            "está desactivada.",
            "Llame a su DRSE y dígales que hay que activar la detección automática de la "
            "cámara de la Raspberry Pi y reiniciar la estación.",
            command=f"camera_auto_detect=1 en {facts.config_file} (o la línea dtoverlay de "
            "su sensor, por ejemplo dtoverlay=imx219) y reinicie"))
    if facts.libcamera_cameras and not facts.picamera2_installed:
        out.append(Finding(
            "picamera2-missing", "La cámara de la Raspberry Pi está conectada, pero falta el "
            "programa para usarla desde la estación (picamera2).",
            "Use una cámara USB, o llame a su DRSE y dígales que falta instalar el programa "
            "picamera2 de la cámara de la Raspberry Pi.",
            command="apt install python3-picamera2, y el entorno de la estación con "
            "--system-site-packages"))
    elif facts.libcamera_cameras == 0 and not any(not n.pi_internal for n in facts.nodes):
        out.append(Finding(
            "pi-camera-not-found", "No se encontró la cámara de la Raspberry Pi ni una cámara "
            "USB. Los dispositivos de video que aparecen son del procesador de video de la "
            "Raspberry, no cámaras.",
            "Apague la estación, revise que el cable plano esté bien insertado en ambos "
            "extremos (contactos hacia el lado correcto) y vuelva a encender; o conecte una "
            "cámara USB."))
    return out


def _node_findings(node: VideoNode, facts: CameraFacts) -> list[Finding]:
    # The model name, never the device node: the secretary reads this on the kiosk.
    label = f"«{node.name}»" if node.name else "USB"
    if node.permission_denied:
        if facts.user_in_video_group is False and not facts.is_root:
            return [Finding(
                "permission", f"El usuario «{facts.user}» no tiene permiso para usar la cámara "
                f"{label}: no pertenece al grupo «video».",
                "Llame a su DRSE y dígales que el usuario de la estación debe pertenecer al "
                "grupo «video»; luego reinicie la estación.",
                command=f"sudo usermod -aG video {facts.user}")]
        return [Finding(
            "permission", f"No hay permiso para abrir la cámara {label}.",
            "Reinicie la estación; si sigue igual, avise a soporte de su DRSE.")]
    if node.held_by:
        programs = ", ".join(node.held_by)
        return [Finding(
            "busy", f"La cámara {label} está ocupada por otro programa ({programs}).",
            "Cierre ese programa (o reinicie la estación) y vuelva a probar.")]
    if node.can_open is False:
        return [Finding(
            "cannot-open", f"La cámara {label} no se pudo abrir.",
            "Desconéctela, espere unos segundos y vuelva a conectarla.")]
    if node.delivers_frames is False:
        return [Finding(
            "no-frames", f"La cámara {label} se abre pero no entrega imágenes.",
            "Desconéctela y vuelva a conectarla; pruebe otro puerto USB (de preferencia "
            "directo a la estación) o la resolución 640×480 en los ajustes de la cámara.")]
    return []
