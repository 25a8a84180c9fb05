"""The records of a knowledge base, its container and its graph."""

from __future__ import annotations

from kb.model.kb import KnowledgeBase as KnowledgeBase
from kb.model.located import LocDict as LocDict
from kb.model.located import LocList as LocList
from kb.model.located import Where as Where
from kb.model.records import relation_id as relation_id
