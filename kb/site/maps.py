"""Build-time SVG maps and charts: the names the site and tests import, from kb.site.map_*."""

# One module per job: map_layered (the layered layout), map_force (the force layout), map_svg
# (shared SVG pieces), map_index (a graph's links indexed), map_argument (claim and whole-debate
# maps), map_groups and map_group_svg (the map of questions for large KBs), map_charts. The site
# reads GROUP_MAP_ABOVE from here alone (tests set it here); other constants are read where
# they are defined.

from __future__ import annotations

from kb.site.map_argument import MAX_MAP_NODES as MAX_MAP_NODES
from kb.site.map_argument import OVERVIEW_H as OVERVIEW_H
from kb.site.map_argument import OVERVIEW_W as OVERVIEW_W
from kb.site.map_argument import SIDE_SHAPES as SIDE_SHAPES
from kb.site.map_argument import _draw_node as _draw_node
from kb.site.map_argument import _node_class as _node_class
from kb.site.map_argument import _shape as _shape
from kb.site.map_argument import argument_map as argument_map
from kb.site.map_argument import claim_map as claim_map
from kb.site.map_argument import overview_map as overview_map
from kb.site.map_charts import YEAR_BAR as YEAR_BAR
from kb.site.map_charts import YEAR_BAR_WIDE as YEAR_BAR_WIDE
from kb.site.map_charts import YEAR_LABEL_W as YEAR_LABEL_W
from kb.site.map_charts import balance_chart as balance_chart
from kb.site.map_charts import year_chart as year_chart
from kb.site.map_force import DENSE_SPRING_FROM as DENSE_SPRING_FROM
from kb.site.map_force import SPRING_ITERATIONS as SPRING_ITERATIONS
from kb.site.map_force import _dense_spring as _dense_spring
from kb.site.map_force import _force_layout as _force_layout
from kb.site.map_force import _spring as _spring
from kb.site.map_force import force_layout as force_layout
from kb.site.map_group_svg import SIDE_WORDS as SIDE_WORDS
from kb.site.map_group_svg import _counted as _counted
from kb.site.map_group_svg import _group_link as _group_link
from kb.site.map_group_svg import _group_name as _group_name
from kb.site.map_group_svg import _group_node as _group_node
from kb.site.map_group_svg import _pie as _pie
from kb.site.map_group_svg import _plural as _plural
from kb.site.map_group_svg import group_map as group_map
from kb.site.map_groups import ATTACK_TYPES as ATTACK_TYPES
from kb.site.map_groups import GROUP_GAP as GROUP_GAP
from kb.site.map_groups import GROUP_LABEL_CHARS as GROUP_LABEL_CHARS
from kb.site.map_groups import GROUP_LABEL_H as GROUP_LABEL_H
from kb.site.map_groups import GROUP_LABEL_LINES as GROUP_LABEL_LINES
from kb.site.map_groups import GROUP_LABEL_W as GROUP_LABEL_W
from kb.site.map_groups import GROUP_LABELS as GROUP_LABELS
from kb.site.map_groups import GROUP_MAP_ABOVE as GROUP_MAP_ABOVE
from kb.site.map_groups import GROUP_SIDES as GROUP_SIDES
from kb.site.map_groups import HEAT_SHARES as HEAT_SHARES
from kb.site.map_groups import MAX_GROUP_LINKS as MAX_GROUP_LINKS
from kb.site.map_groups import MOST_CONTESTED as MOST_CONTESTED
from kb.site.map_groups import _group_order as _group_order
from kb.site.map_groups import _group_width as _group_width
from kb.site.map_groups import _heats as _heats
from kb.site.map_groups import _shelf_pack as _shelf_pack
from kb.site.map_groups import group_radius as group_radius
from kb.site.map_groups import overview_groups as overview_groups
from kb.site.map_index import ArgIndex as ArgIndex
from kb.site.map_index import _bearing as _bearing
from kb.site.map_index import _claim_links as _claim_links
from kb.site.map_index import _drawn as _drawn
from kb.site.map_index import _limit as _limit
from kb.site.map_index import _local_edges as _local_edges
from kb.site.map_index import _map_edges as _map_edges
from kb.site.map_index import overview_edges as overview_edges
from kb.site.map_layered import ORDER_SWEEPS as ORDER_SWEEPS
from kb.site.map_layered import SWEEPS as SWEEPS
from kb.site.map_layered import XSPACE as XSPACE
from kb.site.map_layered import YSPACE as YSPACE
from kb.site.map_layered import _crossings as _crossings
from kb.site.map_layered import _fit as _fit
from kb.site.map_layered import _fit_to as _fit_to
from kb.site.map_layered import _layered as _layered
from kb.site.map_layered import _mean as _mean
from kb.site.map_layered import _order as _order
from kb.site.map_layered import _place as _place
from kb.site.map_layered import _sugiyama as _sugiyama
from kb.site.map_layered import layout as layout
from kb.site.map_svg import ARG_TYPES as ARG_TYPES
from kb.site.map_svg import DY as DY
from kb.site.map_svg import EDGE_STYLE as EDGE_STYLE
from kb.site.map_svg import LINE_CHARS as LINE_CHARS
from kb.site.map_svg import MAX_LINES as MAX_LINES
from kb.site.map_svg import NODE_W as NODE_W
from kb.site.map_svg import RX as RX
from kb.site.map_svg import _edge_path as _edge_path
from kb.site.map_svg import _edge_svg as _edge_svg
from kb.site.map_svg import _fill as _fill
from kb.site.map_svg import _line as _line
from kb.site.map_svg import _markers as _markers
from kb.site.map_svg import _node_body as _node_body
from kb.site.map_svg import _r as _r
from kb.site.map_svg import _wrap as _wrap
from kb.site.map_svg import legend as legend
