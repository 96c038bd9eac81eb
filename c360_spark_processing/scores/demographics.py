"""Birth year, age at the as-of date and generation."""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_contract.vocabulary import GENERATIONS
from c360_spark_processing.settings import PipelineSettings

OLDEST_GENERATION, UNKNOWN = GENERATIONS[-2:]


def age_at(birth_date: Column, as_of: date) -> Column:
    """Completed years at the as-of date (the birthday itself counts)."""
    return F.floor(F.months_between(F.lit(as_of), birth_date) / 12).cast("int")


def generation(birth_year: Column, settings: PipelineSettings) -> Column:
    """First generation (youngest first) whose first birth year the customer reaches."""
    rule = F.when(birth_year.isNull(), UNKNOWN)
    for name, first_year in settings.generation_first_birth_year.items():
        rule = rule.when(birth_year >= first_year, name)
    return rule.otherwise(OLDEST_GENERATION)
