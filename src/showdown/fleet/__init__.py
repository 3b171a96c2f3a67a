"""``showdown run --cluster ADDRESS``: the plan on a Ray cluster, results stored by the driver.

Each model's turn runs as a Ray task on a node that can serve it (``placement``), starting and
stopping its managed server there and streaming each generation back as it ends (``work``);
each answer is judged by a Ray task on a node with the sandbox; the driver (``driver``) stores
every result as it arrives, with the host and node it ran on. ``connect`` joins the cluster and
says in one line why it cannot. Ray is an optional extra: nothing here imports it at import
time.
"""

from showdown.fleet.connect import ClusterError, Node
from showdown.fleet.driver import Fleet, NodeLost, open_fleet
from showdown.fleet.placement import parse_node_flags

__all__ = ["ClusterError", "Fleet", "Node", "NodeLost", "open_fleet", "parse_node_flags"]
