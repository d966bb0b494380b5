"""What each cached series is: names, units, price basis and how to refresh it.

This is descriptive metadata written once by hand (no prices here). The importer copies it
into data/manifest.json next to the provenance and checksum of every file.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict

# Okabe-Ito palette (colour-blind safe; yellow darkened to read on white) and neutral greys.
BLUE, SKY, GREEN, ORANGE = "#0072B2", "#56B4E9", "#009E73", "#E69F00"
PURPLE, VERMILLION, BLACK, GREY, YELLOW = "#CC79A7", "#D55E00", "#000000", "#999999", "#B8A000"


@dataclass(frozen=True)
class Series:
    symbol: str
    name: str
    asset_class: str
    unit: str
    calendar: str
    basis: str
    yf_ticker: str | None  # None: not refreshable through yfinance
    auto_adjust: bool = False  # True only where the cache holds dividend-adjusted prices
    kind: str = "daily"
    # How charts draw it: one colour per asset across the book (distinct within every chart
    # that shows assets together), and a short name for narrow axes (full name in tooltips).
    colour: str = GREY
    short: str | None = None
    # Date of a last row that data/PROVENANCE.md flags as a probable partial day (written while
    # the market was open): its "close" is not a close, so every computation leaves it out.
    partial_last: str | None = None

    def as_dict(self) -> dict:
        # Presentation fields stay out of the data manifest.
        return {k: v for k, v in asdict(self).items() if k not in ("colour", "short")}


_US = "US trading days (New York)"
_TRADED = "traded prices (not dividend-adjusted)"
_INDEX = "price index (no dividends)"

SERIES: dict[str, Series] = {s.symbol: s for s in [
    Series("NDX", "Nasdaq-100", "equity index", "index points", _US, _INDEX, "^NDX", colour=BLUE,
           partial_last="2026-07-13"),
    Series("GSPC", "S&P 500", "equity index", "index points", _US, _INDEX, "^GSPC", colour=SKY,
           partial_last="2026-08-21"),
    Series("HSI", "Hang Seng Index", "equity index", "index points", "Hong Kong trading days",
           _INDEX, "^HSI", colour=VERMILLION, short='Hang Seng'),
    Series("000001.SS", "Shanghai Composite", "equity index", "index points",
           "Shanghai trading days", _INDEX, "000001.SS", colour=GREY, short='Shanghai'),
    Series("N225", "Nikkei 225", "equity index", "index points", "Tokyo trading days", _INDEX,
           "^N225", colour=ORANGE),
    Series("KS11", "KOSPI", "equity index", "index points", "Seoul trading days", _INDEX,
           "^KS11", colour=PURPLE),
    Series("SOX", "PHLX Semiconductor", "equity index", "index points", _US, _INDEX, "^SOX", colour=GREEN, short='Chip index (SOX)'),
    Series("VIX", "Cboe VIX", "volatility index", "volatility points", _US + ", Cboe",
           "index level", "^VIX", colour=BLACK, short='VIX'),
    Series("NVDA", "Nvidia", "stock", "USD per share", _US, _TRADED, "NVDA", colour=GREEN),
    Series("MSFT", "Microsoft", "stock", "USD per share", _US, _TRADED, "MSFT", colour=ORANGE),
    Series("ORCL", "Oracle", "stock", "USD per share", _US, _TRADED, "ORCL", colour=PURPLE),
    Series("OWL", "Blue Owl Capital", "stock", "USD per share", _US, _TRADED, "OWL", colour=PURPLE, short='Blue Owl'),
    Series("000660.KS", "SK Hynix", "stock", "KRW per share", "Seoul trading days", _TRADED,
           "000660.KS", colour=SKY),
    Series("9984.T", "SoftBank Group", "stock", "JPY per share (split-adjusted, 4:1 Jan 2026)",
           "Tokyo trading days", _TRADED + ", split-adjusted", "9984.T", colour=YELLOW, short='SoftBank'),
    Series("QQQ", "Invesco QQQ (Nasdaq-100 ETF)", "ETF", "USD per share", _US, _TRADED, "QQQ", colour=VERMILLION, short='QQQ (ETF)'),
    Series("SPY", "SPDR S&P 500 ETF", "ETF", "USD per share", _US, _TRADED, "SPY", colour=PURPLE, short='SPY (ETF)'),
    Series("HYG", "iShares High Yield Corporate Bond ETF", "ETF", "USD per share", _US,
           "dividend-adjusted (use for returns, not quoted prices)", "HYG", auto_adjust=True, colour=BLACK, short='HYG (high-yield ETF)',
           partial_last="2026-08-21"),
    Series("BTC-USD", "Bitcoin", "crypto", "USD", "UTC calendar days, 7 days a week",
           "spot price", "BTC-USD", colour=ORANGE, partial_last="2026-08-21"),
    Series("ETH-USD", "Ether", "crypto", "USD", "UTC calendar days, 7 days a week",
           "spot price", "ETH-USD", colour=PURPLE, partial_last="2026-08-21"),
    Series("GC=F", "Gold (COMEX front month)", "commodity", "USD per troy ounce", _US,
           "continuous front-month futures, not roll-adjusted", "GC=F", colour=YELLOW, short='Gold'),
    Series("TNX", "10-year Treasury yield (Cboe ^TNX)", "rates", "percent", _US,
           "yield index", "^TNX", colour=SKY, short='10-year (Cboe)'),
    Series("DGS2", "2-year Treasury yield (FRED DGS2)", "rates", "percent", _US + ", FRED",
           "constant-maturity yield", None, colour=VERMILLION, short='2-year'),
    Series("DGS10", "10-year Treasury yield (FRED DGS10)", "rates", "percent", _US + ", FRED",
           "constant-maturity yield", None, colour=PURPLE, short='10-year'),
    Series("NVDA_1h", "Nvidia, hourly bars", "stock", "USD per share",
           "UTC bar starts", _TRADED, None, kind="intraday", colour=GREEN, short='Nvidia'),
    Series("MSFT_1h", "Microsoft, hourly bars", "stock", "USD per share",
           "UTC bar starts", _TRADED, None, kind="intraday", colour=ORANGE, short='Microsoft'),
    Series("QQQ_1h", "Invesco QQQ, hourly bars", "ETF", "USD per share",
           "UTC bar starts", _TRADED, None, kind="intraday", colour=VERMILLION, short='QQQ'),
    Series("SPX_5m", "S&P 500, 5-minute bars", "equity index", "index points",
           "New York time bar starts", _INDEX, None, kind="intraday", colour=SKY, short='S&P 500'),
    Series("SP500_shiller", "S&P 500 (Shiller monthly average)", "equity index",
           "index points", "monthly, 1st of month", "monthly average of daily closes", None,
           kind="monthly", colour=SKY, short='S&P 500 (monthly)'),
    Series("NDX_month_end", "Nasdaq-100 month-end closes", "equity index", "index points",
           "last trading day of each month", _INDEX, None, kind="monthly", colour=BLUE, short='Nasdaq-100 (month-end)'),
]}

# Published third-party figures: shown with their sources, never as our measurements.
PUBLISHED = {
    "fedwatch_dec2025": "CME FedWatch odds of a December 2025 cut, as quoted in news pages",
    "fomc_decisions_2025": "FOMC rate decisions of 2025, as reported",
    "crypto_liquidations_2025-11-21": "Crypto liquidation totals of 21 Nov 2025 (CoinGlass, as reported)",
    "nvidia_earnings_dates": "Nvidia's quarterly results release dates (after the New York close), as reported",
    "ai_deals": "Announced deals among Nvidia, OpenAI, Microsoft, Oracle, AMD, CoreWeave and Anthropic, as reported (announced values, not measured cash flows)",
}


def partial_last(symbol: str) -> str | None:
    """The declared partial last day of a series (YYYY-MM-DD), or None."""
    meta = SERIES.get(symbol)
    return meta.partial_last if meta else None
