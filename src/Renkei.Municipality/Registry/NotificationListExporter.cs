using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.Text;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

public sealed record NotificationListSummary(long Households, long Members, long MembersWithoutNumber);

/// <summary>
/// Who runs a batch export, for the operation log: the staff id recorded (a batch job records <c>batch:&lt;OS user&gt;</c>),
/// the terminal (the host name) and the affair the export is made in.
/// </summary>
public sealed record ExportOperator(string StaffId, string Terminal, string AffairCode);

/// <summary>
/// The mailing list for number notifications (通知カード送付先情報), one entry per household: the
/// addressee is the head (their name and address), followed by every current member who has a number.
/// As CSV (UTF-8, RFC 4180, text that would run as a formula prefixed with an apostrophe: <see cref="CsvCell"/>), one line per member; the lines of a household are consecutive, head first,
/// and repeat the household's number, addressee name and address:
/// <c>household_number, addressee_name, address, member_seq, family_name, given_name, family_name_kana,
/// given_name_kana, birth_date, relationship, individual_number</c>.
/// The file holds numbers: it is specific personal information and must be handled as such.
/// </summary>
public sealed class NotificationListExporter(ResidentRegister register)
{
    public static readonly string[] Columns =
    [
        "household_number", "addressee_name", "address", "member_seq", "family_name", "given_name", "family_name_kana",
        "given_name_kana", "birth_date", "relationship", "individual_number",
    ];

    /// <summary>The affair the notification list belongs to (住民基本台帳に関する事務).</summary>
    public const string Affair = "resident-register";

    /// <summary>
    /// Exports and records the export in the ward's operation log: an <see cref="OperationAction.Export"/> entry is committed
    /// before the first byte is written (so no list leaves unrecorded), naming how many households and numbered residents
    /// the list covers and where it goes; if writing then fails, a <see cref="OperationResult.Failed"/> entry follows.
    /// </summary>
    /// <param name="destination">where the list goes, for the entry's detail (e.g. "file", "stdout"); never a number.</param>
    public NotificationListSummary Export(Stream output, OperationLog log, ExportOperator who, string destination, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(who);
        clock ??= TimeProvider.System;
        var counts = register.Counts();
        var detail = $"notification list (通知カード送付先情報); households={counts.Households}; residents-with-number={counts.Residents - counts.ResidentsWithoutNumber}; to={destination}";
        log.Append(new OperationLogEntry(who.StaffId, clock.GetUtcNow(), who.Terminal, who.AffairCode, null, OperationAction.Export, OperationResult.Success, detail));
        try
        {
            return Export(output);
        }
        catch (Exception e)
        {
            log.Append(new OperationLogEntry(who.StaffId, clock.GetUtcNow(), who.Terminal, who.AffairCode, null, OperationAction.Export, OperationResult.Failed,
                $"notification list (通知カード送付先情報); to={destination}; failed: {e.GetType().Name}"));
            throw;
        }
    }

    public NotificationListSummary Export(Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(",", Columns));
        long households = 0, members = 0, withoutNumber = 0;

        using var connection = register.Database.Open();
        using var command = connection.Command("""
            SELECT r.household_number, r.relationship, r.family_name, r.given_name, r.family_name_kana, r.given_name_kana, r.birth_date,
              n.individual_number, r.address
            FROM residents r LEFT JOIN resident_numbers n ON n.resident_id = r.id AND n.valid_to IS NULL
            WHERE r.status = 0
            ORDER BY r.household_number, CASE WHEN r.relationship = 1 THEN 0 ELSE 1 END, r.birth_date, r.id
            """);
        using var reader = command.ExecuteReader();
        var group = new List<Member>();
        string? current = null;
        while (reader.Read())
        {
            var household = reader.GetString(0);
            if (household != current) { Flush(); current = household; }
            var member = new Member(household, (Relationship)reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : IndividualNumber.FromInt64(reader.GetInt64(7)), reader.GetString(8));
            if (member.Number is null) withoutNumber++;
            else group.Add(member);
        }
        Flush();
        writer.Flush();
        return new NotificationListSummary(households, members, withoutNumber);

        void Flush()
        {
            if (group.Count == 0) return;
            // The head is the addressee; a household whose head has no number yet is addressed to its first member.
            var addressee = group.FirstOrDefault(m => m.Relationship == Relationship.Head) ?? group[0];
            households++;
            var seq = 0;
            foreach (var m in group)
            {
                members++;
                WriteRow(writer, CsvCell.Value(m.Household), CsvCell.Text(addressee.FamilyName + "　" + addressee.GivenName), CsvCell.Text(addressee.Address),
                    CsvCell.Value((++seq).ToString(System.Globalization.CultureInfo.InvariantCulture)), CsvCell.Text(m.FamilyName), CsvCell.Text(m.GivenName),
                    CsvCell.Text(m.FamilyKana), CsvCell.Text(m.GivenKana), CsvCell.Value(m.BirthDate), CsvCell.Text(m.Relationship.ToJapanese()),
                    CsvCell.Value(m.Number!.Value.Digits));
            }
            group.Clear();
        }
    }

    private sealed record Member(string Household, Relationship Relationship, string FamilyName, string GivenName, string FamilyKana,
        string GivenKana, string BirthDate, IndividualNumber? Number, string Address);

    /// <summary>Writes one row of cells already made with <see cref="CsvCell"/>.</summary>
    private static void WriteRow(TextWriter writer, params string[] cells) => writer.WriteLine(string.Join(',', cells));
}
