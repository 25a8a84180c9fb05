"""Read the YAML files of a knowledge base into typed, located records."""

from __future__ import annotations

from kb.load import files as files
from kb.load.cache import PARSE_CACHE_FORMAT as PARSE_CACHE_FORMAT
from kb.load.cache import ParseCache as ParseCache
from kb.load.cache import default_parse_cache as default_parse_cache
from kb.load.config import load_config as load_config
from kb.load.depth import MAX_DEPTH as MAX_DEPTH
from kb.load.extract import iter_records as iter_records
from kb.load.files import CONFIG_NAME as CONFIG_NAME
from kb.load.files import MAX_FILE_BYTES as MAX_FILE_BYTES
from kb.load.files import MAX_FOLDER_DEPTH as MAX_FOLDER_DEPTH
from kb.load.files import decode as decode
from kb.load.files import display_path as display_path
from kb.load.files import find_files as find_files
from kb.load.files import read_text as read_text
from kb.load.files import theme_dir as theme_dir
from kb.load.loader import Loader as Loader
from kb.load.loader import load as load
from kb.load.parse import MAX_ALIASES as MAX_ALIASES
from kb.load.parse import parse_yaml as parse_yaml
from kb.model.kb import KnowledgeBase as KnowledgeBase
from kb.model.located import LocDict as LocDict
from kb.model.located import LocList as LocList
from kb.model.located import Where as Where
from kb.model.records import relation_id as relation_id
