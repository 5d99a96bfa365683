using System.CommandLine;
using System.Globalization;
using Renkei.Core.Dates;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei tax pay|account</c>: the residence-tax system's payments ledger (収納) of a ward — a payment received for one
/// installment, and one person's year (税額, 期別, 納付済額, 未納額). Recorded in the ward's operation log in the affair
/// <c>local-tax</c> (refusals too) under the batch identity of <see cref="RegistryCommands.BatchStaffId"/>; the log names
/// the year and installment, never an amount.
/// </summary>
public static class TaxCommands
{
    /// <summary>What <c>renkei tax account --json</c> prints.</summary>
    public sealed record TaxAccountView(int FiscalYear, string FiscalYearJapanese, long Assessed, long Paid, long Unpaid,
        IReadOnlyList<ResidenceTaxInstallment> Installments, IReadOnlyList<ResidenceTaxPayment> Payments);

    public static void AddTo(RootCommand root)
    {
        var tax = new Command("tax", "the ward's residence-tax system (個人住民税): payments received and each year's account");
        tax.Subcommands.Add(PayCommand());
        tax.Subcommands.Add(AccountCommand());
        root.Subcommands.Add(tax);
    }

    private static Command PayCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = new Option<long>("--resident") { Description = "the resident's id in the register", Required = true };
        var year = new Option<int>("--fiscal-year") { Description = "the fiscal year (年度) the tax is of, e.g. 2025", Required = true };
        var installment = new Option<int>("--installment") { Description = "the installment (期別) paid: 1–4", Required = true };
        var amount = new Option<long>("--amount") { Description = "the amount paid in yen", Required = true };
        var paidOn = new Option<DateOnly?>("--paid-on") { Description = "the day paid (default: today)" };
        var json = CliOptions.Json();
        var command = new Command("pay", "record a payment of residence tax for one installment; an overpayment or a year without assessment is refused")
        {
            municipality, resident, year, installment, amount, paidOn, json,
        };
        command.SetAction(parse =>
        {
            var fiscalYear = parse.GetValue(year);
            CheckFiscalYear(fiscalYear);
            var (register, code, layout) = RegistryCommands.OpenWard(parse, municipality);
            using var log = AuditCommands.OpenOperationLog(layout, code);
            var addressee = new AddresseeSystem(register, log, new AddresseeSystemOptions { Terminal = RegistryCommands.BatchTerminal() });
            var today = Today();
            var what = $"住民税の納付を記録 {CounterCertificates.ResidenceTaxYear(fiscalYear)} 第{parse.GetValue(installment)}期; resident-id={parse.GetValue(resident)}";
            var subject = addressee.ForResident(parse.GetValue(resident));
            void Record(OperationResult result, string detail) => log.Append(new OperationLogEntry(RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow,
                RegistryCommands.BatchTerminal(), CounterCertificates.TaxAffair, subject?.ToInt64(), OperationAction.Change, result, detail));
            if (subject is not { } found)
            {
                Record(OperationResult.Failed, what + "; failed: unknown-resident");
                Console.Error.WriteLine("renkei: --resident: 該当する住民がいません。");
                return ExitCodes.Failure;
            }
            ResidenceTaxAccount account;
            try
            {
                account = new ResidenceTaxSystem(addressee).RecordPayment(
                    new ResidenceTaxPaymentEntry(found, fiscalYear, parse.GetValue(installment), parse.GetValue(paidOn) ?? today, parse.GetValue(amount)),
                    today, RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow);
            }
            catch (BusinessSystemException refused)
            {
                Record(OperationResult.Refused, what + "; refused: " + refused.Code);
                Console.Error.WriteLine("renkei: " + refused.Message);
                return ExitCodes.Failure;
            }
            Record(OperationResult.Success, what);
            Print(account, parse.GetValue(json));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AccountCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = new Option<long>("--resident") { Description = "the resident's id in the register", Required = true };
        var year = new Option<int?>("--fiscal-year") { Description = "the fiscal year (default: the latest one assessed)" };
        var json = CliOptions.Json();
        var command = new Command("account", "one person's residence tax of a year: 税額, installments with their due dates, 納付済額 and 未納額")
        {
            municipality, resident, year, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(year) is { } asked) CheckFiscalYear(asked);
            var (register, code, layout) = RegistryCommands.OpenWard(parse, municipality);
            using var log = AuditCommands.OpenOperationLog(layout, code);
            var addressee = new AddresseeSystem(register, log, new AddresseeSystemOptions { Terminal = RegistryCommands.BatchTerminal() });
            var subject = addressee.ForResident(parse.GetValue(resident));
            var tax = new ResidenceTaxSystem(addressee);
            var fiscalYear = parse.GetValue(year) ?? (subject is { } s ? tax.Latest(s, Today())?.FiscalYear : null);
            var account = subject is { } found && fiscalYear is { } y ? tax.Account(found, y) : null;
            log.Append(new OperationLogEntry(RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow, RegistryCommands.BatchTerminal(), CounterCertificates.TaxAffair,
                subject?.ToInt64(), OperationAction.View, account is null ? OperationResult.Failed : OperationResult.Success,
                $"住民税の納付状況を照会{(fiscalYear is { } shown ? " " + CounterCertificates.ResidenceTaxYear(shown) : "")}; resident-id={parse.GetValue(resident)}"
                + (account is null ? "; failed: " + TaxCertificates.NoTaxRecord : "")));
            if (account is null)
            {
                Console.Error.WriteLine("renkei: --fiscal-year: この年度の課税記録がありません。");
                return ExitCodes.Failure;
            }
            Print(account, parse.GetValue(json));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(ResidenceTaxAccount account, bool json)
    {
        var year = CounterCertificates.ResidenceTaxYear(account.FiscalYear);
        if (json)
        {
            AuditCommands.PrintJson(new TaxAccountView(account.FiscalYear, year, account.Assessed, account.Paid, account.Unpaid, account.Installments, account.Payments));
            return;
        }
        static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";
        Console.WriteLine($"{year} {CounterCertificates.ResidenceTaxItem}　税額 {Yen(account.Assessed)}　納付済額 {Yen(account.Paid)}　未納額 {Yen(account.Unpaid)}");
        foreach (var i in account.Installments)
            Console.WriteLine($"  第{i.Number}期　納期限 {JapaneseEraDate.Format(i.DueOn)}　税額 {Yen(i.Amount)}　納付済額 {Yen(i.Paid)}　未納額 {Yen(i.Unpaid)}");
    }

    /// <summary>A fiscal year the era calendar can print (明治 on): refused before the ward is opened otherwise.</summary>
    private static void CheckFiscalYear(int fiscalYear)
    {
        if (fiscalYear is < 1900 or > 2999) throw new UsageException("--fiscal-year: a fiscal year such as 2025 (年度を西暦で指定してください)");
    }

    private static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
}
