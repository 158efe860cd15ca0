"""``station question``: ask the DRSE's Control Escolar (técnico 12) and read the answers,
with DGTI's answers to problem reports the DRSE turned over (técnico 10)."""

from __future__ import annotations

import click

from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(question_group)


@click.group("question")
def question_group() -> None:
    """Questions to the DRSE (Control Escolar) and their answers."""


@question_group.command("ask")
@click.argument("text")
@click.option("--by", "asked_by", required=True, help="Who asks (name and position).")
@station_command
def question_ask(ctx: click.Context, text: str, asked_by: str, as_json: bool) -> None:
    """Send a question to the DRSE (it leaves at the next sync)."""
    from station.services.support import ask_question

    answer = ask_question(_station(ctx), text, asked_by=asked_by)
    emit(as_json, answer, f"Pregunta {answer['question']} registrada: se envía a la DRSE en la "
                          "siguiente sincronización. Vea la respuesta con 'station question "
                          "list'.")


@question_group.command("list")
@station_command
def question_list(ctx: click.Context, as_json: bool) -> None:
    """Questions asked here and problem reports turned over to DGTI, with their answers."""
    from station.services.support import support_view

    view = support_view(_station(ctx))
    lines = []
    for q in view.questions:
        lines.append(f"Pregunta {q.number} ({q.asked_at[:10]}, {q.asked_by}): {q.text}")
        lines.append(f"  Estado: {q.status}.")
        if q.answer:
            lines.append(f"  Respuesta de {q.answered_by}: {q.answer}")
    for name, state in sorted(view.reports.items()):
        lines.append(f"Reporte de problema {name}: turnado a DGTI por la DRSE.")
        if state.get("answer"):
            lines.append(f"  Respuesta de DGTI: {state['answer']}")
        else:
            lines.append("  Esperando la respuesta de DGTI.")
    if not lines:
        lines.append("No hay preguntas ni respuestas. Pregunte a su DRSE con: station question "
                     'ask "su pregunta" --by "su nombre".')
    emit(as_json, view.to_json(), "\n".join(lines))
