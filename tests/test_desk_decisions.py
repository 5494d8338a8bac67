"""Every moderation decision is a row of its own — who, when, from → to, reason, note — written in
the same transaction as the state change; the log is append-only; undo is a decision of its own
that restores visibility and counts; a decision made on a stale screen does not overwrite."""

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.models import CannotUndo, Comment, Decision, DecisionConflict
from tests.factories import article_url, make_article, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]


@pytest.fixture
def second_moderator(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("mod2", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


# --- the log -----------------------------------------------------------------------------------


def test_a_decision_records_who_when_from_to_reason_and_note(article, moderator):
    comment = make_comment(article)
    before = timezone.now()
    decision = comment.decide(Comment.Status.REJECTED, moderator, reason="广告", note="第二次了")
    row = Decision.objects.get(comment=comment)
    assert row == decision
    assert (row.moderator, row.from_status, row.to_status) == (moderator, "pending", "rejected")
    assert (row.reason, row.note) == ("广告", "第二次了")
    assert before <= row.decided_at <= timezone.now()


def test_every_decision_is_a_new_row_and_none_is_overwritten(article, moderator):
    comment = make_comment(article)
    comment.approve(by=moderator)
    comment.reject(by=moderator, reason="辱骂")
    comment.mark_spam(by=moderator)
    comment.approve(by=moderator)
    changes = [
        (d.from_status, d.to_status, d.reason)
        for d in Decision.objects.filter(comment=comment).order_by("decided_at", "id")
    ]
    assert changes == [
        ("pending", "approved", ""),
        ("approved", "rejected", "辱骂"),
        ("rejected", "spam", ""),
        ("spam", "approved", ""),
    ]
    assert count(article) == 1


def test_deciding_what_is_already_so_records_nothing(article, moderator):
    comment = make_comment(article, approve_by=moderator)
    assert comment.decide(Comment.Status.APPROVED, moderator) is None
    assert Decision.objects.filter(comment=comment).count() == 1


def test_a_failed_decision_leaves_neither_state_nor_log_changed(article, moderator, monkeypatch):
    comment = make_comment(article)

    def broken(*args, **kwargs):
        raise RuntimeError("the log's insert failed")

    monkeypatch.setattr(Decision.objects, "create", broken)
    # (its own transaction, as in a request: the test runs inside one that must go on)
    with pytest.raises(RuntimeError), transaction.atomic():
        comment.approve(by=moderator)
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert count(article) == 0
    assert not Decision.objects.exists()


def test_the_log_refuses_updates_through_the_model_and_the_queryset(article, moderator):
    comment = make_comment(article)
    decision = comment.decide(Comment.Status.SPAM, moderator)
    decision.reason = "改写"
    with pytest.raises(TypeError):
        decision.save()
    with pytest.raises(TypeError):
        Decision.objects.filter(pk=decision.pk).update(reason="改写")
    with pytest.raises(TypeError):
        decision.delete()
    with pytest.raises(TypeError):
        Decision.objects.all().delete()
    assert Decision.objects.get(pk=decision.pk).reason == ""


def test_the_database_refuses_to_update_a_decision(article, moderator):
    decision = make_comment(article).decide(Comment.Status.SPAM, moderator)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE comments_decision SET reason = 'x' WHERE id = %s", [decision.pk])
    assert Decision.objects.get(pk=decision.pk).reason == ""


def test_the_log_goes_only_with_its_comment(article, moderator):
    comment = make_comment(article)
    comment.approve(by=moderator)
    Article.objects.filter(pk=article.pk).delete()  # a superuser deletes the article
    assert not Decision.objects.exists()


def test_bulk_decisions_are_one_row_each_and_refresh_each_article_once(
    article, category, moderator, django_capture_on_commit_callbacks, monkeypatch
):
    other = make_article(category=category)
    comments = [make_comment(article) for _ in range(3)] + [make_comment(other)]
    refreshed = []
    from portal import pagecache

    monkeypatch.setattr(pagecache, "article_changed", lambda pk, **kw: refreshed.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        changed = Comment.decide_many(comments, Comment.Status.APPROVED, moderator)
    assert changed == 4
    assert Decision.objects.filter(to_status="approved", moderator=moderator).count() == 4
    assert (count(article), count(other)) == (3, 1)
    assert sorted(refreshed) == sorted([article.pk, other.pk])


# --- undo --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["approve", "reject", "mark_spam"])
def test_undo_restores_the_state_the_visibility_and_the_count(article, moderator, method):
    visible = make_comment(article, body="已经公开的", approve_by=moderator)
    comment = make_comment(article, body="撤销试验")
    getattr(comment, method)(by=moderator)
    decision = Decision.objects.filter(comment=comment).first()

    undo = decision.undo(by=moderator)

    comment.refresh_from_db()
    assert comment.status == "pending"
    assert count(article) == 1
    assert (undo.from_status, undo.to_status, undo.undoes) == (
        decision.to_status,
        "pending",
        decision,
    )
    assert undo.moderator == moderator
    page = Client().get(article_url(article))
    assertContains(page, visible.body)
    assertNotContains(page, "撤销试验")


def test_undoing_an_approval_of_an_approved_comment_hides_it_again(article, moderator):
    comment = make_comment(article, body="先拒后过")
    comment.reject(by=moderator)
    comment.approve(by=moderator)
    assertContains(Client().get(article_url(article)), "先拒后过")
    Decision.objects.filter(comment=comment).first().undo(by=moderator)
    assert Comment.objects.get(pk=comment.pk).status == "rejected"
    assert count(article) == 0
    assertNotContains(Client().get(article_url(article)), "先拒后过")


def test_undo_is_only_within_a_minute(article, moderator):
    comment = make_comment(article)
    decision = comment.decide(Comment.Status.APPROVED, moderator)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(seconds=61)),
        pytest.raises(CannotUndo),
    ):
        decision.undo(by=moderator)
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_undo_is_only_of_ones_own_decision_and_only_once(article, moderator, second_moderator):
    comment = make_comment(article)
    decision = comment.decide(Comment.Status.SPAM, moderator)
    with pytest.raises(CannotUndo):
        decision.undo(by=second_moderator)
    undo = decision.undo(by=moderator)
    with pytest.raises(CannotUndo):
        Decision.objects.get(pk=decision.pk).undo(by=moderator)
    with pytest.raises(CannotUndo):
        undo.undo(by=moderator)  # an undo is not undone: decide again instead
    assert Decision.objects.filter(comment=comment).count() == 2


def test_undo_is_refused_when_someone_decided_since(article, moderator, second_moderator):
    comment = make_comment(article)
    decision = comment.decide(Comment.Status.APPROVED, moderator)
    Comment.objects.get(pk=comment.pk).decide(Comment.Status.SPAM, second_moderator)
    with pytest.raises((CannotUndo, DecisionConflict)):
        decision.undo(by=moderator)
    assert Comment.objects.get(pk=comment.pk).status == "spam"
    assert count(article) == 0


# --- two moderators ----------------------------------------------------------------------------


def test_a_decision_on_a_stale_screen_does_not_overwrite_the_other_moderators(
    article, moderator, second_moderator
):
    comment = make_comment(article)
    mine = Comment.objects.get(pk=comment.pk)  # loaded while pending
    Comment.objects.get(pk=comment.pk).decide(
        Comment.Status.REJECTED, second_moderator, reason="广告"
    )
    with pytest.raises(DecisionConflict) as conflict:
        mine.decide(Comment.Status.APPROVED, moderator, seen="pending")
    assert conflict.value.status == "rejected"
    assert conflict.value.latest.moderator == second_moderator
    assert conflict.value.latest.reason == "广告"
    assert Comment.objects.get(pk=comment.pk).status == "rejected"
    assert count(article) == 0
    # Having seen it, the moderator may still choose their own decision.
    mine.decide(Comment.Status.APPROVED, moderator, seen="rejected")
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    assert count(article) == 1


def test_the_same_decision_by_both_moderators_is_no_conflict(article, moderator, second_moderator):
    comment = make_comment(article)
    mine = Comment.objects.get(pk=comment.pk)
    Comment.objects.get(pk=comment.pk).approve(by=second_moderator)
    assert mine.decide(Comment.Status.APPROVED, moderator, seen="pending") is None
    assert count(article) == 1
    assert Decision.objects.filter(comment=comment).count() == 1
