from django.core.management.base import BaseCommand

from campaigns.services import totals_recompute_all


class Command(BaseCommand):
    help = "Recompute the cached totals of every campaign and fund from the donations table."

    def handle(self, *args, **options):
        count = totals_recompute_all()
        self.stdout.write(self.style.SUCCESS(f"Refreshed totals of {count} campaigns and funds."))
