"""Long lists that stay fast with hundreds of students: Kivy's RecycleView with reusable rows.

Rows are :class:`kivy.uix.recycleview.views.RecycleDataViewBehavior` widgets fed with plain
dicts; a row keeps its widgets and only changes their text and colours when it scrolls.
"""

from __future__ import annotations

from kivy.uix.recycleboxlayout import RecycleBoxLayout
from kivy.uix.recycleview import RecycleView

from station.ui.widgets import theme


def recycle_list(viewclass: type, *, row_height: float, kid: str = "") -> RecycleView:
    """A vertical list of ``viewclass`` rows, ``row_height`` tall, with a visible scroll bar."""
    t = theme()
    view = RecycleView(do_scroll_x=False, bar_width=max(8, t.gap), scroll_type=["bars", "content"],
                       bar_color=(*t.palette.primary[:3], 0.7),
                       bar_inactive_color=(*t.palette.primary[:3], 0.35))
    view.kid = kid  # type: ignore[attr-defined]
    layout = RecycleBoxLayout(orientation="vertical", default_size=(None, row_height),
                              default_size_hint=(1, None), size_hint=(1, None),
                              spacing=max(2, t.gap // 2), padding=(0, 0, t.gap + 8, 0))
    layout.bind(minimum_height=layout.setter("height"))
    view.add_widget(layout)
    view.viewclass = viewclass  # only after the layout exists: RecycleView passes it on
    return view
