"""Statistical methods: confidence intervals, SPC (Making Data Count) and funnel limits."""
