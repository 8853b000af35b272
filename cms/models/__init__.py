"""Models of the project package: site pages and branding, and the policy library."""

from cms.models.policies import (
    PolicyAcknowledgement,
    PolicyIndexPage,
    PolicyPage,
    PolicyVersion,
)
from cms.models.site import HomePage, SiteBranding

__all__ = [
    "HomePage",
    "PolicyAcknowledgement",
    "PolicyIndexPage",
    "PolicyPage",
    "PolicyVersion",
    "SiteBranding",
]
