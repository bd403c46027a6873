"""What every domain uses: categories, Markdown, periods, charts, clock, API and view helpers, signals."""
