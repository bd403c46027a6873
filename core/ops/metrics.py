"""/metrics for Prometheus: the request and search histograms, and gauges read at scrape time.

With several gunicorn workers every worker keeps its own counts; with PROMETHEUS_MULTIPROC_DIR
set (before the workers start, to an empty directory) they write them to files there and any
worker's /metrics adds them all up (prometheus_client's multiprocess mode). The gauges (index
documents, pending index updates) describe shared state and are read by the worker that answers,
from the layers that own it (`gauges_asked`), so they need no per-process files.
"""
import ipaddress
import logging
import os
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from core.signals import gauges_asked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gauge:
    """One value a layer reports at scrape time (`knowhow_search_index_documents`, …)."""

    name: str
    documentation: str
    value: float


def multiprocess_mode():
    """True when the workers share their counts through PROMETHEUS_MULTIPROC_DIR."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _ProcessMetrics:
    """This process's own metrics (the default registry), for a registry built per scrape."""

    def collect(self):
        return REGISTRY.collect()


class _AskedGauges:
    """The gauges the layers answer with when asked, as Prometheus gauges."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        try:
            answers = [gauge for _receiver, gauges in gauges_asked.send(self.app) for gauge in gauges or ()]
        except Exception:  # a broken layer must not take the other metrics down with it
            log.exception("Metrics: a layer's gauges could not be read.")
            answers = []
        for gauge in answers:
            yield GaugeMetricFamily(gauge.name, gauge.documentation, value=gauge.value)


def render_metrics(app):
    """The text exposition of every metric, summed over the workers in multiprocess mode."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    registry.register(_AskedGauges(app))
    return generate_latest(registry)


def _address(value):
    try:
        address = ipaddress.ip_address((value or "").split("%")[0])
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def metrics_allowed(remote_addr, allowed, forwarded, trusted_proxies):
    """Whether a request from `remote_addr` may read /metrics.

    :param allowed: the networks of METRICS_ALLOW.
    :param forwarded: the request came with X-Forwarded-For or Forwarded. When no proxy is
        trusted, that means it came through a proxy (on this host, say) whose address we would
        otherwise take for the client's: refused.
    """
    if forwarded and trusted_proxies == 0:
        return False
    address = _address(remote_addr)
    return address is not None and any(address in network for network in allowed)
