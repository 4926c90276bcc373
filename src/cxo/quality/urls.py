from django.urls import path

from cxo.quality.views import agreements, asl, audits, capas, changes, home, provider, scorecards

app_name = "quality"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
# Sponsor pages answer a provider with 404 and the reverse; agreements and CAPA evidence serve both parties.
Q = "quality/"
org_urlpatterns = [
    path(Q, home.quality_home, name="home"),
    path(f"{Q}policy/", home.policy, name="policy"),
    # the approved supplier list
    path(f"{Q}asl/", asl.asl_page, name="asl"),
    path(f"{Q}asl.xlsx", asl.asl_xlsx, name="asl_xlsx"),
    path(f"{Q}asl.pdf", asl.asl_pdf, name="asl_pdf"),
    path(f"{Q}sites/", asl.site_search, name="site_search"),
    path(f"{Q}qualifications/<int:qualification_id>/", asl.qualification_detail, name="qualification_detail"),
    path(f"{Q}qualifications/<int:qualification_id>/start/", asl.qualification_start, name="qualification_start"),
    path(
        f"{Q}qualifications/<int:qualification_id>/decide/",
        asl.qualification_decide,
        name="qualification_decide",
    ),
    path(
        f"{Q}qualifications/<int:qualification_id>/review/",
        asl.qualification_review,
        name="qualification_review",
    ),
    # audits
    path(f"{Q}plan/", audits.audit_plan_page, name="plan"),
    path(f"{Q}audits/", audits.audit_list, name="audit_list"),
    path(f"{Q}audits/<int:audit_id>/", audits.audit_detail, name="audit_detail"),
    path(f"{Q}audits/<int:audit_id>/report.pdf", audits.audit_report_pdf, name="audit_pdf"),
    path(f"{Q}audits/<int:audit_id>/schedule/", audits.audit_schedule, name="audit_schedule"),
    path(f"{Q}audits/<int:audit_id>/checklist/", audits.audit_checklist, name="audit_checklist"),
    path(f"{Q}audits/<int:audit_id>/findings/", audits.finding_add, name="finding_add"),
    path(f"{Q}audits/<int:audit_id>/conduct/", audits.audit_conduct, name="audit_conduct"),
    path(f"{Q}audits/<int:audit_id>/report/", audits.audit_report, name="audit_report"),
    path(f"{Q}audits/<int:audit_id>/close/", audits.audit_close, name="audit_close"),
    path(f"{Q}audits/<int:audit_id>/cancel/", audits.audit_cancel, name="audit_cancel"),
    # CAPAs, sponsor side
    path(f"{Q}capas/", capas.capa_list, name="capa_list"),
    path(f"{Q}capas/<int:capa_id>/", capas.capa_detail, name="capa_detail"),
    path(f"{Q}capas/<int:capa_id>/assess/", capas.capa_assess, name="capa_assess"),
    path(f"{Q}capas/<int:capa_id>/effectiveness/", capas.capa_effectiveness, name="capa_effectiveness"),
    path(f"{Q}capas/<int:capa_id>/close/", capas.capa_close, name="capa_close"),
    path(f"{Q}evidence/<int:evidence_id>/", capas.evidence_download, name="evidence"),
    # quality agreements, both parties
    path(f"{Q}agreements/", agreements.agreement_list, name="agreement_list"),
    path(f"{Q}agreements/<int:agreement_id>/", agreements.agreement_detail, name="agreement_detail"),
    path(
        f"{Q}agreements/<int:agreement_id>/versions/",
        agreements.agreement_version_new,
        name="agreement_version_new",
    ),
    path(
        f"{Q}agreements/<int:agreement_id>/versions/<int:number>/",
        agreements.agreement_version_edit,
        name="agreement_version_edit",
    ),
    path(
        f"{Q}agreements/<int:agreement_id>/versions/<int:number>/sign/",
        agreements.agreement_version_sign,
        name="agreement_sign",
    ),
    # change notifications, sponsor side
    path(f"{Q}changes/", changes.change_list, name="change_list"),
    path(f"{Q}changes/<int:assessment_id>/", changes.change_detail, name="change_detail"),
    path(f"{Q}changes/<int:assessment_id>/assess/", changes.change_assess, name="change_assess"),
    path(f"{Q}changes/<int:assessment_id>/decide/", changes.change_decide, name="change_decide"),
    # scorecards
    path(f"{Q}scorecards/", scorecards.scorecard_list, name="scorecards"),
    path(f"{Q}scorecards/<int:provider_id>/", scorecards.scorecard_detail, name="scorecard"),
    # the provider's side: findings addressed to it, its CAPAs, its change notifications
    path(f"{Q}findings/", provider.finding_list, name="provider_findings"),
    path(f"{Q}findings/<int:capa_id>/", provider.capa_detail, name="provider_capa"),
    path(
        f"{Q}findings/<int:capa_id>/actions/<int:action_id>/complete/",
        provider.action_complete,
        name="provider_action_complete",
    ),
    path(f"{Q}notifications/", provider.notification_list, name="provider_changes"),
    path(f"{Q}notifications/<int:notification_id>/", provider.notification_detail, name="provider_change"),
]
