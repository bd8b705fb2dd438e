"""The experience lanes of the journey map: the emotion curves and the measured volumes.

The designed emotion is a smooth (monotone, so never beyond the scale) curve through
the touchpoints' designed emotions on the -3..+3 scale, over a zero line, with faces
on the scale; with an overlay, the measured emotion is a dashed curve beside it and
the "Actual journeys" lane shows reached/left per step and volume and median time
per touchpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.render import icons
from cojourney.render.layout import LABEL_W, LANE_PAD, Column, Lane
from cojourney.render.svg import (
    Palette,
    circle,
    emotion_colour,
    human_duration,
    label,
    line,
    rect,
    signed,
    smooth_path,
    tag,
    text_lines,
    thousands,
    title,
    wrap,
)

if TYPE_CHECKING:
    from cojourney.render.journey_map import JourneyModel

EMOTION_H = 176.0


def emotion_lane(m: JourneyModel, columns: list[Column], overlay: bool) -> Lane:
    def y_of(value: float, top: float) -> float:
        plot_top, plot_h = top + 20, EMOTION_H - 40
        return plot_top + (3 - max(-3.0, min(3.0, value))) / 6 * plot_h

    x_left = columns[0].x
    x_right = columns[-1].x + columns[-1].width

    def draw(y: float, h: float) -> str:
        out = []
        for v in range(-3, 4):
            yy = y_of(v, y)
            out.append(
                line(
                    x_left,
                    yy,
                    x_right,
                    yy,
                    stroke=Palette.rule_strong if v == 0 else Palette.rule,
                    stroke_width=1.2 if v == 0 else 0.7,
                    stroke_dasharray="5 4" if v == 0 else None,
                )
            )
        designed: list[tuple[float, float, Any]] = []
        measured: list[tuple[float, float, float, str]] = []
        for col in columns:
            for i, tp in enumerate(m.front.get(col.step.id, [])):
                x = col.slot_centre(i)
                if tp.emotion is not None:
                    designed.append((x, y_of(tp.emotion, y), tp))
                value = m.overlay_tp.get(tp.id, {}).get("emotion")
                if value is not None:
                    measured.append((x, y_of(value, y), value, tp.name))
        step_measured = [
            (col, m.overlay_step[col.step.id]["emotion"])
            for col in columns
            if "emotion" in m.overlay_step.get(col.step.id, {})
        ]
        if designed:
            pts = [(x, yy) for x, yy, _ in designed]
            curve = smooth_path(pts)
            zero = y_of(0, y)
            out.append(
                tag(
                    "defs",
                    tag(
                        "linearGradient",
                        "".join(
                            [
                                tag(
                                    "stop",
                                    None,
                                    offset="0",
                                    stop_color=Palette.positive,
                                    stop_opacity=0.22,
                                ),
                                tag(
                                    "stop",
                                    None,
                                    offset="0.5",
                                    stop_color=Palette.positive,
                                    stop_opacity=0.04,
                                ),
                                tag(
                                    "stop",
                                    None,
                                    offset="0.5",
                                    stop_color=Palette.negative,
                                    stop_opacity=0.04,
                                ),
                                tag(
                                    "stop",
                                    None,
                                    offset="1",
                                    stop_color=Palette.negative,
                                    stop_opacity=0.22,
                                ),
                            ]
                        ),
                        id="cj-emotion-fill",
                        gradientUnits="userSpaceOnUse",
                        x1="0",
                        x2="0",
                        y1=str(y_of(3, y)),
                        y2=str(y_of(-3, y)),
                    ),
                )
            )
            area = f"{curve} L{pts[-1][0]:.2f},{zero:.2f} L{pts[0][0]:.2f},{zero:.2f} Z"
            out.append(tag("path", None, d=area, fill="url(#cj-emotion-fill)", stroke="none"))
            out.append(
                tag(
                    "path",
                    None,
                    d=curve,
                    fill="none",
                    stroke="#3e4c59",
                    stroke_width=2.6,
                    stroke_linecap="round",
                    class_="cj-designed-emotion",
                )
            )
        if step_measured and not measured:
            measured = [(col.centre, y_of(v, y), v, col.step.name) for col, v in step_measured]
            step_measured = []
        if measured:
            out.append(
                tag(
                    "path",
                    None,
                    d=smooth_path([(x, yy) for x, yy, _, _ in measured]),
                    fill="none",
                    stroke=Palette.measured,
                    stroke_width=2.2,
                    stroke_dasharray="7 5",
                    stroke_linecap="round",
                    class_="cj-measured-emotion",
                )
            )
            for x, yy, value, name in measured:
                out.append(
                    tag(
                        "g",
                        title(f"{name}: measured {signed(value)}")
                        + tag(
                            "rect",
                            None,
                            x=f"{x - 4.5:.2f}",
                            y=f"{yy - 4.5:.2f}",
                            width="9",
                            height="9",
                            fill="#fff",
                            stroke=Palette.measured,
                            stroke_width=2,
                            transform=f"rotate(45 {x:.2f} {yy:.2f})",
                        ),
                    )
                )
        for col, value in step_measured:
            yy = y_of(value, y)
            out.append(
                tag(
                    "g",
                    title(f"{col.step.name}: measured step average {signed(value)}")
                    + line(
                        col.inner_x,
                        yy,
                        col.inner_x + col.inner_w,
                        yy,
                        stroke=Palette.measured,
                        stroke_width=1.6,
                        stroke_dasharray="2 3",
                    )
                    + label(
                        col.inner_x + col.inner_w,
                        yy - 4,
                        f"step {signed(value)}",
                        size=9.5,
                        fill=Palette.measured,
                        text_anchor="end",
                    ),
                    class_="cj-measured-step",
                )
            )
        measured_at = {name: value for _, _, value, name in measured}
        for x, yy, tp in designed:
            value = tp.emotion or 0.0
            colour = emotion_colour(value)
            tip = title(f"{tp.name}: designed emotion {signed(value)}")
            mark = (
                icons.star(x, yy, 8.5)
                if tp.moment_of_truth
                else circle(x, yy, 5.5, fill=colour, stroke="#fff", stroke_width=2)
            )
            other = measured_at.get(tp.name)  # keep the label clear of the measured mark
            above = value >= other if other is not None else value >= 0
            ty = yy - 11 if above else yy + 19
            out.append(
                tag(
                    "g",
                    tip
                    + mark
                    + label(
                        x,
                        ty,
                        signed(value),
                        size=10.5,
                        font_weight=700,
                        fill=colour,
                        text_anchor="middle",
                    ),
                )
            )
        return "".join(out)

    def draw_label(x: float, y: float, h: float) -> str:
        sub = "designed, −3 to +3" + (" · measured dashed" if overlay else "")
        out = [
            text_lines(
                x + 12,
                y + LANE_PAD,
                ["EXPERIENCE"],
                size=10.5,
                weight=700,
                fill=Palette.muted,
                letter_spacing=0.6,
            ),
            text_lines(x + 12, y + LANE_PAD + 17, wrap(sub, 92, 10), size=10, fill=Palette.faint),
        ]
        for v, mood in ((3, 1), (0, 0), (-3, -1)):
            yy = y_of(v, y)
            colour = emotion_colour(v)
            out.append(icons.face(x + LABEL_W - 16, yy, 8, mood, colour))
            out.append(
                label(
                    x + LABEL_W - 30,
                    yy + 4,
                    signed(v),
                    size=10,
                    fill=colour,
                    text_anchor="end",
                    font_weight=700,
                )
            )
        return "".join(out)

    return Lane(
        "emotion", "Experience", fixed_height=EMOTION_H, custom=draw, custom_label=draw_label
    )


def volume_lane(m: JourneyModel, columns: list[Column]) -> Lane | None:
    tp_counts = {
        tp.id: m.overlay_tp[tp.id]
        for tps in m.front.values()
        for tp in tps
        if tp.id in m.overlay_tp
    }
    has_steps = any(("reached" in v or "left" in v) for v in m.overlay_step.values())
    if not tp_counts and not has_steps:
        return None
    max_tp = max((v.get("journeys", 0.0) for v in tp_counts.values()), default=0.0) or 1.0
    max_reached = max((v.get("reached", 0.0) for v in m.overlay_step.values()), default=0.0) or 1.0
    funnel_h = 40.0 if has_steps else 0.0
    bar_h = 52.0 if tp_counts else 0.0
    height = funnel_h + (bar_h + 34 if tp_counts else 0) + 2 * LANE_PAD

    def draw(y: float, h: float) -> str:
        out = []
        for col in columns:
            stats = m.overlay_step.get(col.step.id, {})
            if "reached" in stats:
                reached, left = stats["reached"], stats.get("left", 0.0)
                share = left / reached if reached else 0.0
                bw = col.inner_w * reached / max_reached
                top = y + LANE_PAD
                text = f"reached {thousands(reached)}"
                out.append(
                    label(
                        col.inner_x, top + 11, text, size=10.5, fill=Palette.volume, font_weight=600
                    )
                )
                if left:
                    out.append(
                        label(
                            col.inner_x + col.inner_w,
                            top + 11,
                            f"left {thousands(left)} ({share:.0%})",
                            size=10.5,
                            fill=Palette.pain,
                            text_anchor="end",
                            font_weight=600,
                        )
                    )
                out.append(rect(col.inner_x, top + 17, col.inner_w, 9, rx=4.5, fill="#e8edf3"))
                out.append(
                    rect(col.inner_x, top + 17, bw, 9, rx=4.5, fill=Palette.volume, opacity=0.8)
                )
                if left:
                    out.append(
                        rect(
                            col.inner_x + bw * (1 - share),
                            top + 17,
                            bw * share,
                            9,
                            rx=4.5,
                            fill=Palette.pain,
                            opacity=0.85,
                        )
                    )
            base = y + LANE_PAD + funnel_h + 16 + bar_h
            for i, tp in enumerate(m.front.get(col.step.id, [])):
                measured = tp_counts.get(tp.id)
                if not measured:
                    continue
                x = col.slot_centre(i)
                count = measured.get("journeys")
                if count is not None:
                    bh = max(2.0, bar_h * count / max_tp)
                    out.append(
                        tag(
                            "g",
                            title(f"{tp.name}: {thousands(count)} journeys")
                            + rect(
                                x - 14,
                                base - bh,
                                28,
                                bh,
                                rx=3,
                                fill=Palette.volume,
                                opacity=0.85,
                                class_="cj-volume",
                            ),
                        )
                    )
                    out.append(
                        label(
                            x,
                            base - bh - 4,
                            thousands(count),
                            size=10.5,
                            font_weight=600,
                            fill=Palette.volume,
                            text_anchor="middle",
                        )
                    )
                if "median_seconds" in measured:
                    out.append(
                        label(
                            x,
                            base + 13,
                            "median " + human_duration(measured["median_seconds"]),
                            size=10,
                            fill=Palette.muted,
                            text_anchor="middle",
                        )
                    )
        return "".join(out)

    return Lane(
        "volumes",
        "Actual journeys",
        subtitle="measured: reached, left, volume, median time",
        fixed_height=height,
        custom=draw,
    )
