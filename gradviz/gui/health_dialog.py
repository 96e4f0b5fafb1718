"""View ▸ Health Thresholds: when a gradient is flagged, saved in the settings."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from ..core.health import THRESHOLDS

MEANING = {
    "vanishing": "gradient RMS below this times the target's",
    "exploding": "gradient RMS above this times the target's",
    "dead": "share of a relu's elements passing no gradient (0 to 1)",
    "saturated": "share of a tanh's or sigmoid's outputs at their flat ends (0 to 1)",
}


def health_thresholds(settings):
    """The thresholds in force: the settings' where valid, else the defaults."""
    out = {}
    for name, default in THRESHOLDS.items():
        try:
            value = float(settings.value(f"health/{name}", default))
        except (TypeError, ValueError):
            value = default
        out[name] = value if value > 0 else default
    return out


class ThresholdsDialog(QDialog):
    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Health thresholds")
        self.settings = settings
        form = QFormLayout(self)
        self.fields = {}
        for name, value in health_thresholds(settings).items():
            field = QLineEdit(f"{value:g}")
            field.setToolTip(MEANING[name])
            self.fields[name] = field
            form.addRow(f"{name} ({MEANING[name]})", field)
        self.error = QLabel()
        self.error.setStyleSheet("color: #e5484d")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: [f.setText(f"{THRESHOLDS[n]:g}") for n, f in self.fields.items()])
        form.addRow(buttons)

    def accept(self):
        """Save, or say which value is not a positive number (and stay open)."""
        values = {}
        for name, field in self.fields.items():
            try:
                values[name] = float(field.text())
            except ValueError:
                values[name] = 0.0
            if not values[name] > 0 or (name in ("dead", "saturated") and values[name] > 1):
                wanted = "from 0 to 1" if name in ("dead", "saturated") else "above 0"
                self.error.setText(f"{name}: {field.text()!r} is not a number {wanted}")
                return
        for name, value in values.items():
            self.settings.setValue(f"health/{name}", value)
        super().accept()
