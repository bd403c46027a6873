"""Category management for leads and admins."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from core.categories import create_category, get_category_or_404, list_categories, update_category
from core.views import committing
from kb import services
from kb.forms import CategoryForm
from kb.views import kb


@kb.route("/kb/categories", methods=["GET", "POST"])
@login_required
def categories():
    """All categories with their article counts, and a form to add one."""
    require(current_user, "category.manage")
    form = CategoryForm()
    if form.validate_on_submit():
        with committing(form) as change:
            category = create_category(form.name.data, form.slug.data,
                                                form.description.data or "", form.translations())
        if change.ok:
            flash(_("Category %(name)s is added.", name=category.local_name), "success")
            return redirect(url_for("kb.categories"))
    return render_template("kb/categories.html", form=form, categories=list_categories(),
                           counts=services.count_by_category())


@kb.route("/kb/categories/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_category(slug):
    """Rename a category or change its description and translated names."""
    require(current_user, "category.manage")
    category = get_category_or_404(slug)
    form = CategoryForm(obj=category)
    if not form.is_submitted():
        translations = category.translations or {}
        form.name_fa.data, form.name_ar.data, form.name_th.data = (
            translations.get("fa", ""), translations.get("ar", ""), translations.get("th", ""))
    if form.validate_on_submit():
        with committing(form) as change:
            update_category(category, form.name.data, form.description.data or "",
                                     form.translations())
        if change.ok:
            flash(_("Category %(name)s is saved.", name=category.local_name), "success")
            return redirect(url_for("kb.categories"))
    return render_template("kb/category_form.html", form=form, category=category)
