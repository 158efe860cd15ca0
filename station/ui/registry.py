"""Which screen shows each state (module:class, imported on first use to start fast).

Kept free of Kivy so tests and tools can read it without opening a window.
"""

from __future__ import annotations

from station.ui.machine import State

SCREENS: dict[State, str] = {
    State.HOME: "station.ui.screens.home:HomeScreen",
    State.SIGN_IN: "station.ui.screens.signin:SignInScreen",
    State.SCHOOLS: "station.ui.screens.schools:SchoolsScreen",
    State.ROSTER: "station.ui.screens.roster:RosterScreen",
    State.STUDENT: "station.ui.screens.student:StudentScreen",
    State.PRINT_PREVIEW: "station.ui.screens.print_preview:PreviewScreen",
    State.PRINT_PROGRESS: "station.ui.screens.print_progress:ProgressScreen",
    State.PRINT_REVIEW: "station.ui.screens.print_review:ReviewScreen",
    State.VERIFY: "station.ui.screens.verify:VerifyScreen",
    State.VERIFY_RESULT: "station.ui.screens.verdict:VerdictScreen",
    State.SETTINGS: "station.ui.screens.settings:SettingsScreen",
    State.PRINTER: "station.ui.screens.printer:PrinterScreen",
    State.CALIBRATION: "station.ui.screens.calibration:CalibrationScreen",
    State.CAMERA: "station.ui.screens.camera_settings:CameraScreen",
    State.REPORT: "station.ui.screens.report:ReportScreen",
    State.HOLOGRAMS: "station.ui.screens.holograms:HologramsScreen",
    State.LIFECYCLE: "station.ui.screens.lifecycle:LifecycleScreen",
    State.SUPPLIES: "station.ui.screens.supplies:SuppliesScreen",
    State.SYNC: "station.ui.screens.sync:SyncScreen",
    State.PHOTO: "station.ui.screens.photo:PhotoScreen",
    State.USERS: "station.ui.screens.users:UsersScreen",
    State.SCHOOL_REPORT: "station.ui.screens.school_report:SchoolReportScreen",
    State.FAILSAFE: "station.ui.screens.failsafe:FailsafeScreen",
}
"""The screens that exist; a state without one is not offered anywhere (no fake buttons)."""
