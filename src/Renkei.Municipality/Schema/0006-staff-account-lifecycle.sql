-- Staff accounts as seed 001 asks (個人ごとのID, 3か月ごとのパスワード変更, 特権IDは毎月・一般IDは四半期ごとの棚卸し,
-- 異動・退職の日の失効, 操作記録の月1回の検査・分析): StaffDirectory, AccountReviews and OperationLogReviews.
-- When the password was last set (expiry counts from it; accounts from before this script count from their creation),
-- whether the next login must set a new one (a temporary password from an administrator), and the day the person leaves
-- (退職日: the account is disabled from that day on).
ALTER TABLE staff_accounts ADD COLUMN password_changed_at TEXT NULL;
ALTER TABLE staff_accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_accounts ADD COLUMN leaves_on TEXT NULL;
UPDATE staff_accounts SET password_changed_at = created_at WHERE password_changed_at IS NULL;
-- Account reviews (アカウントの棚卸し): who confirmed which account, when, and whether it stays as it is.
CREATE TABLE IF NOT EXISTS staff_account_reviews (
    id $auto_id$,
    staff_id TEXT NOT NULL REFERENCES staff_accounts (staff_id),
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    role TEXT NOT NULL,
    affairs TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_staff_account_reviews_staff ON staff_account_reviews (staff_id, reviewed_at);
-- Monthly operation-log reviews (操作記録の検査・分析): the period examined, by whom, when, what was found and remarks.
CREATE TABLE IF NOT EXISTS operation_log_reviews (
    id $auto_id$,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    findings INTEGER NOT NULL,
    remarks TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_operation_log_reviews_period ON operation_log_reviews (period_from);
