"""The monthly seminar series: invitations and reminders, attendance and survey, summaries."""
