"""Back office of leads (Chinese)."""

from django.contrib import admin

from pingan.leads.models import Lead, Post


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = ("platform", "url", "author", "posted_at", "likes", "comments", "shares", "risk_score")
    readonly_fields = fields


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "status", "risk_score", "post_count", "last_seen"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["event", "region"]
    inlines = [PostInline]
