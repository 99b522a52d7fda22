from django.urls import path

from pingan.web.views import campaigns, campaigns_listings

urlpatterns = [
    path("campaigns/", campaigns.campaigns_list, name="campaigns_list"),
    path("campaigns/new/", campaigns.campaigns_new, name="campaigns_new"),
    path("campaigns/<int:campaign_id>/", campaigns.campaigns_detail, name="campaigns_detail"),
    path(
        "campaigns/<int:campaign_id>/activate/",
        campaigns.campaigns_activate,
        name="campaigns_activate",
    ),
    path("campaigns/<int:campaign_id>/close/", campaigns.campaigns_close, name="campaigns_close"),
    path("campaigns/<int:campaign_id>/events/", campaigns.campaigns_tag, name="campaigns_tag"),
    path(
        "campaigns/<int:campaign_id>/targets/<int:target_id>/",
        campaigns.campaigns_target,
        name="campaigns_target",
    ),
    path(
        "campaigns/<int:campaign_id>/report.docx",
        campaigns.campaigns_report,
        name="campaigns_report",
    ),
    path("listings/", campaigns_listings.listings_list, name="campaigns_listings"),
    path(
        "listings/<int:listing_id>/",
        campaigns_listings.listings_detail,
        name="campaigns_listing",
    ),
]
