"""The student's tools: everything around grading one's own exercise.

Progress kept in ``.grade/progress.json`` (``progress``), stepped hints (``hints``), re-grading on every
save (``watch``), the exercise folders and starting over (``workspace``), ``grade doctor`` (``doctor``),
the student's terminal screens (``screens``), lessons as web pages (``rendering``) and the course's web
site (``web``). It may import the engine, the sandbox and ``reports``; nothing imports it but the CLI.
"""
