"""The verdict in large words, colour and icon; the holder's name, school, folio and the photo
this station keeps, so the person checking can compare the face."""

from __future__ import annotations

from typing import Any

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from foundation.credential.verify import Verdict, Verification
from station.services import lookup
from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.student import photo_widget
from station.ui.status_words import nice_name
from station.ui.widgets import FitLabel, Panel, TouchButton, theme


def verdict_words(result: Verification) -> tuple[str, str, str]:
    """(headline, tone, icon) for the verification; the reason sentence comes with it."""
    if result.verdict is Verdict.VALID:
        for_cycle = getattr(result, "valid_for_cycle", None)
        if for_cycle is False:
            return _("VÁLIDA, SIN HOLOGRAMA DEL CICLO"), "warn", "warning"
        return _("CREDENCIAL VÁLIDA"), "ok", "ok_circle"
    return {
        Verdict.REVOKED: (_("NO VÁLIDA: CANCELADA"), "bad", "bad_circle"),
        Verdict.BAD_SIGNATURE: (_("NO VÁLIDA: ALTERADA"), "bad", "bad_circle"),
        Verdict.UNKNOWN_KEY: (_("NO SE PUEDE CONFIRMAR"), "warn", "warning"),
        Verdict.NOT_A_CREDENTIAL: (_("NO ES UNA CREDENCIAL"), "bad", "bad_circle"),
    }[result.verdict]


class VerdictScreen(KioskScreen):
    state = State.VERIFY_RESULT
    title = _("Resultado de la verificación")

    def enter(self, **_params: Any) -> None:
        t = theme()
        p = t.palette
        result: Verification | None = self.app.session.verification
        self.body.clear_widgets()
        if result is None:
            self.app.go(State.VERIFY)
            return
        headline, tone, icon = verdict_words(result)
        strong, soft = p.tone(tone)
        main = BoxLayout(spacing=t.pad)
        left = Panel(orientation="vertical", bg=soft, border=strong, padding=t.pad,
                     spacing=t.gap, kid="verdict_panel")
        band = BoxLayout(size_hint_y=None, height=t.font_huge * 1.8, spacing=t.pad)
        side = t.font_huge * 1.5
        holder = AnchorLayout(size_hint_x=None, width=side)
        holder.add_widget(Icon(name=icon, color=strong, size_hint=(None, None),
                               size=(side, side)))
        band.add_widget(holder)
        band.add_widget(FitLabel(text=headline, bold=True, font_size=t.font_huge * 0.72,
                                 color=strong, kid="verdict_headline"))
        left.add_widget(band)
        left.add_widget(FitLabel(text=result.reason_es, kid="verdict_reason", valign="top",
                                 font_size=t.font_large if not t.compact else t.font_body))
        main.add_widget(left)
        claims = result.claims
        if claims is not None:
            card = lookup.card_holder(self.app.station, claims.folio, result.key_id)
            right = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_x=0.62)
            right.add_widget(photo_widget(card.photo if card else None, kid="verdict_photo"))
            facts = [f"[b]{escape_markup(claims.name)}[/b]",
                     _("Folio {folio:07d} · CCT {cct}").format(folio=claims.folio,
                                                               cct=claims.cct)]
            if card is not None and card.school is not None:
                facts.insert(1, escape_markup(nice_name(card.school.nombre)))
            facts.append(_("Expedida el {day:%d/%m/%Y}").format(day=claims.issued_on))
            right.add_widget(FitLabel(text="\n".join(facts), size_hint_y=0.55, valign="top",
                                      markup=True, kid="verdict_facts",
                                      font_size=t.font_small if t.compact else t.font_body))
            main.add_widget(right)
        self.body.add_widget(main)
        again = TouchButton(text=_("Verificar otra"), icon="qr", kid="verdict_again")
        again.bind(on_release=lambda *_: self.app.go(State.VERIFY))
        done = TouchButton(text=_("Terminar"), icon="home", style="secondary",
                           kid="verdict_done")
        done.bind(on_release=lambda *_: self.app.go(State.HOME))
        self.body.add_widget(row(done, again))
