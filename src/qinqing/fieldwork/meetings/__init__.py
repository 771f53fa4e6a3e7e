"""政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""
