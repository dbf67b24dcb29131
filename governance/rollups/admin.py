"""Administration of the assessment: each county's indicator weights and minimum sample.
Saving goes through `assessment_scheme_set`, which checks the weights and the administrator's
jurisdiction; the job runs and publications are shown, never edited here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from governance.rollups import scoring
from governance.rollups.models import AssessmentScheme, JobRun, MonthPublication
from governance.rollups.services import assessment_scheme_set


class AssessmentSchemeForm(forms.ModelForm):
    class Meta:
        model = AssessmentScheme
        fields = ["county", "weights", "min_sample"]
        help_texts = {
            "weights": ", ".join(
                f"{key}: {weight}" for key, weight in scoring.DEFAULT_WEIGHTS.items()
            ),
        }

    def clean_weights(self):
        weights = self.cleaned_data["weights"]
        problems = scoring.validate_weights(weights)
        if problems:
            raise ValidationError(problems)
        return weights


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    form = AssessmentSchemeForm
    list_display = ["county", "min_sample", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_changeform_initial_data(self, request):
        return {
            "weights": dict(scoring.DEFAULT_WEIGHTS),
            "min_sample": scoring.DEFAULT_MIN_SAMPLE,
        }

    def save_model(self, request, obj, form, change):
        saved = assessment_scheme_set(
            actor=request.user,
            county=form.cleaned_data["county"],
            weights=form.cleaned_data["weights"],
            min_sample=form.cleaned_data["min_sample"],
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "period", "outcome", "rows", "started_at", "ended_at"]
    list_filter = ["job", "outcome"]


@admin.register(MonthPublication)
class MonthPublicationAdmin(ReadOnlyAdmin):
    list_display = ["county", "month", "published_by", "published_at"]
