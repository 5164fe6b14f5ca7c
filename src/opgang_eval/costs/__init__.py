"""Costs and savings: unit costs, price conversion, the savings estimate and its account."""

from .savings import SavingsAccount, savings

__all__ = ["SavingsAccount", "savings"]
