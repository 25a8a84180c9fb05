"""The whole-debate layout stays linear at scale: blocks laid out on their own, on a grid."""

from __future__ import annotations

from kb import maps


def test_large_maps_are_laid_out_in_blocks_deterministically(monkeypatch) -> None:
    monkeypatch.setattr(maps, "BLOCK_LAYOUT_ABOVE", 50)
    monkeypatch.setattr(maps, "BLOCK_SIZE", 20)
    nodes = [f"c{i}" for i in range(70)]
    edges = [(f"c{i}", f"c{i // 2}") for i in range(1, 70)]
    first = maps._force_layout(nodes, edges)
    assert first == maps._force_layout(nodes, edges)
    assert set(first) == set(nodes)
    cell = 110.0 * 20**0.5 * 1.15
    # Four blocks on a 2 x 2 grid: each block's nodes stay inside its own cell.
    for i, n in enumerate(nodes):
        block = i // 20
        x, y = first[n]
        assert (block % 2) * cell - 1 <= x <= (block % 2) * cell + cell
        assert (block // 2) * cell - 1 <= y <= (block // 2) * cell + cell
