using System.Globalization;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>One installment (期別) of a year's residence tax: its number (第1期 …), due date (納期限), amount and what was paid for it.</summary>
public sealed record ResidenceTaxInstallment(int Number, DateOnly DueOn, long Amount, long Paid)
{
    /// <summary>未納額 of this installment (never negative: a payment never exceeds what is due).</summary>
    public long Unpaid => Amount - Paid;
}

/// <summary>One payment received (収納): for which installment, the day paid and the amount.</summary>
public sealed record ResidenceTaxPayment(long Id, int FiscalYear, int Installment, DateOnly PaidOn, long Amount);

/// <summary>
/// One person's residence tax of one fiscal year as the payments ledger shows it: the assessment (税額 = its
/// <see cref="ResidenceTaxAssessment.TotalTax"/>), the installments with what was paid for each, the payments, and 未納.
/// </summary>
public sealed record ResidenceTaxAccount(ResidenceTaxAssessment Assessment, IReadOnlyList<ResidenceTaxInstallment> Installments,
    IReadOnlyList<ResidenceTaxPayment> Payments)
{
    public int FiscalYear => Assessment.FiscalYear;

    /// <summary>税額: the year's tax assessed.</summary>
    public long Assessed => Assessment.TotalTax;

    /// <summary>納付済額.</summary>
    public long Paid => Payments.Sum(p => p.Amount);

    /// <summary>未納額.</summary>
    public long Unpaid => Assessed - Paid;
}

/// <summary>
/// How a year's residence tax is collected. The tax system holds no employer data (no 特別徴収義務者, no salary payments), so
/// every assessment is collected as 普通徴収 (地方税法第320条): four installments due at the end of June, August, October and
/// January (a due date on a Saturday or Sunday moves to the Monday; public holidays are not kept), the annual amount split
/// in four in units of 1,000 yen with the remainder in the first installment.
/// </summary>
public static class ResidenceTaxInstallments
{
    /// <summary>Installments of 普通徴収.</summary>
    public const int Count = 4;

    /// <summary>The installments (number, due date, amount) of <paramref name="totalTax"/> for <paramref name="fiscalYear"/>; none when nothing is due.</summary>
    public static IReadOnlyList<(int Number, DateOnly DueOn, long Amount)> Schedule(int fiscalYear, long totalTax)
    {
        if (totalTax <= 0) return [];
        var later = totalTax / Count / 1_000 * 1_000;
        var first = totalTax - later * (Count - 1);
        int[] months = [6, 8, 10, 13];
        return months.Select((month, i) =>
        {
            var year = fiscalYear + (month > 12 ? 1 : 0);
            var m = month > 12 ? month - 12 : month;
            var due = new DateOnly(year, m, DateTime.DaysInMonth(year, m));
            due = due.DayOfWeek switch { DayOfWeek.Saturday => due.AddDays(2), DayOfWeek.Sunday => due.AddDays(1), _ => due };
            return (i + 1, due, i == 0 ? first : later);
        }).ToList();
    }
}

/// <summary>A payment to record: whose (addressee), which fiscal year and installment, the day paid and the amount.</summary>
public sealed record ResidenceTaxPaymentEntry(IntegratedAddresseeNumber Subject, int FiscalYear, int Installment, DateOnly PaidOn, long Amount);

/// <summary>The residence-tax system's payments ledger (収納, table <c>tax_payments</c>).</summary>
public sealed partial class ResidenceTaxSystem
{
    /// <summary>The refusal when the person has no assessment for the fiscal year.</summary>
    public const string NoAssessment = "no-assessment";

    /// <summary>The refusal when a payment is more than the installment's unpaid amount.</summary>
    public const string Overpayment = "overpayment";

    /// <summary>The fiscal years the person has an assessment for, newest first.</summary>
    public IReadOnlyList<int> FiscalYears(IntegratedAddresseeNumber subject)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT a.fiscal_year FROM tax_assessments a JOIN tax_persons p ON p.person_id = a.person_id "
            + "WHERE p.addressee_number = @s ORDER BY a.fiscal_year DESC").With("@s", subject.ToInt64());
        using var reader = command.ExecuteReader();
        var years = new List<int>();
        while (reader.Read()) years.Add((int)reader.GetInt64(0));
        return years;
    }

    /// <summary>The person's residence tax of <paramref name="fiscalYear"/> with its installments and payments, or null without an assessment.</summary>
    public ResidenceTaxAccount? Account(IntegratedAddresseeNumber subject, int fiscalYear)
    {
        var assessment = Assessment(subject, fiscalYear);
        if (assessment is null) return null;
        var payments = new List<ResidenceTaxPayment>();
        using (var connection = Database.Open())
        using (var command = connection.Command("SELECT t.id, t.installment, t.paid_on, t.amount FROM tax_payments t JOIN tax_persons p ON p.person_id = t.person_id "
            + "WHERE p.addressee_number = @s AND t.fiscal_year = @y ORDER BY t.paid_on, t.id").With("@s", subject.ToInt64()).With("@y", (long)fiscalYear))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                payments.Add(new ResidenceTaxPayment(reader.GetInt64(0), fiscalYear, (int)reader.GetInt64(1), Dates.Parse(reader.GetString(2)), reader.GetInt64(3)));
        var installments = ResidenceTaxInstallments.Schedule(fiscalYear, assessment.TotalTax)
            .Select(i => new ResidenceTaxInstallment(i.Number, i.DueOn, i.Amount, payments.Where(p => p.Installment == i.Number).Sum(p => p.Amount)))
            .ToList();
        return new ResidenceTaxAccount(assessment, installments, payments);
    }

    /// <summary>
    /// Records a payment for one installment and returns the account after it. Refused (nothing stored): no assessment for the
    /// year, an installment the year does not have, an amount of 0 or less or more than the installment's unpaid amount, a day
    /// paid after <paramref name="today"/> or before the fiscal year's assessment could exist (1 April of the year).
    /// </summary>
    /// <exception cref="BusinessSystemException">the payment is refused (code <see cref="NoAssessment"/>, <see cref="Overpayment"/> or invalid-input); the message names the field.</exception>
    public ResidenceTaxAccount RecordPayment(ResidenceTaxPaymentEntry entry, DateOnly today, string recordedBy, DateTimeOffset recordedAt)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordedBy);
        Database.InTransaction((connection, transaction) =>
        {
            // The person's row is locked (PostgreSQL) so two payments for one installment cannot both pass the check.
            var person = connection.Command($"SELECT person_id FROM {Persons} WHERE addressee_number = @a{(Database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE" : "")}",
                transaction).With("@a", entry.Subject.ToInt64()).ScalarInt64();
            var total = person == 0 ? null : connection.Command("SELECT income_levy + per_capita_levy FROM tax_assessments WHERE person_id = @p AND fiscal_year = @y", transaction)
                .With("@p", person).With("@y", (long)entry.FiscalYear).ExecuteScalar();
            if (total is null or DBNull)
                throw new BusinessSystemException(NoAssessment, "年度（fiscalYear）：この年度の課税記録がありません。");
            var schedule = ResidenceTaxInstallments.Schedule(entry.FiscalYear, Convert.ToInt64(total, CultureInfo.InvariantCulture));
            if (entry.Installment < 1 || entry.Installment > schedule.Count)
                throw new BusinessSystemException(BusinessSystemException.InvalidInput, schedule.Count == 0
                    ? "期別（installment）：この年度は税額がないため、納付を記録できません。"
                    : $"期別（installment）：1から{schedule.Count}までの期を指定してください。");
            if (entry.Amount <= 0)
                throw new BusinessSystemException(BusinessSystemException.InvalidInput, "納付額（amount）：1円以上の金額を指定してください。");
            if (entry.PaidOn > today || entry.PaidOn < new DateOnly(entry.FiscalYear, 4, 1))
                throw new BusinessSystemException(BusinessSystemException.InvalidInput, "納付日（paidOn）：その年度の4月1日から今日までの日付を指定してください。");
            var paid = connection.Command("SELECT COALESCE(SUM(amount), 0) FROM tax_payments WHERE person_id = @p AND fiscal_year = @y AND installment = @i", transaction)
                .With("@p", person).With("@y", (long)entry.FiscalYear).With("@i", (long)entry.Installment).ScalarInt64();
            var due = schedule[entry.Installment - 1].Amount - paid;
            if (entry.Amount > due)
                throw new BusinessSystemException(Overpayment, $"納付額（amount）：第{entry.Installment}期の未納額を超えています。");
            connection.Command("INSERT INTO tax_payments (person_id, fiscal_year, installment, paid_on, amount, recorded_at, recorded_by) VALUES (@p, @y, @i, @d, @m, @at, @by)",
                transaction).With("@p", person).With("@y", (long)entry.FiscalYear).With("@i", (long)entry.Installment).With("@d", Dates.Format(entry.PaidOn))
                .With("@m", entry.Amount).With("@at", recordedAt.ToString("O", CultureInfo.InvariantCulture)).With("@by", recordedBy).ExecuteNonQuery();
        });
        return Account(entry.Subject, entry.FiscalYear)!;
    }

    /// <summary>Bulk load of payments (one transaction; demo and migration from another system), unchecked. Returns rows stored.</summary>
    public long ImportPayments(IEnumerable<ResidenceTaxPaymentEntry> payments, string recordedBy)
    {
        var list = payments.ToList();
        return Database.InTransaction((connection, transaction) =>
        {
            var ids = new Dictionary<long, long>();
            using (var command = connection.Command($"SELECT addressee_number, person_id FROM {Persons}", transaction))
            using (var reader = command.ExecuteReader())
                while (reader.Read()) ids[reader.GetInt64(0)] = reader.GetInt64(1);
            var now = Dates.Now();
            using var insert = BulkInsert.Begin(connection, "tax_payments", "person_id", "fiscal_year", "installment", "paid_on", "amount", "recorded_at", "recorded_by");
            foreach (var p in list)
            {
                if (!ids.TryGetValue(p.Subject.ToInt64(), out var person))
                    throw new BusinessSystemException(BusinessSystemException.NotEnrolled, $"{Name}に登録されていない人の納付が含まれています");
                insert.Row(person, (long)p.FiscalYear, (long)p.Installment, Dates.Format(p.PaidOn), p.Amount, now, recordedBy);
            }
            insert.Complete();
            return insert.Rows;
        });
    }
}
