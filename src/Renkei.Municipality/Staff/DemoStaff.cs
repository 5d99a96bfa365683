using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;

namespace Renkei.Municipality.Staff;

/// <summary>
/// A demo staff account with its credentials. DEMO ONLY: the password and TOTP secret are derived from a public demo
/// seed, so anyone who knows the seed can log in. <see cref="ToString"/> hides both.
/// </summary>
public sealed record DemoStaffAccount(StaffId Id, string DisplayName, StaffRole Role, IReadOnlyList<string> Affairs, string Password, byte[] TotpSecret)
{
    /// <summary>The six-digit code an authenticator app would show at <paramref name="time"/>.</summary>
    public string CodeAt(DateTimeOffset time) => Totp.Code(TotpSecret, Totp.Step(time));

    public override string ToString() => $"{Id} {DisplayName} ({Role}) [credentials hidden]";
}

/// <summary>
/// Seeds a ward's demo staff: a resident-register clerk, a tax clerk, child-and-family clerk and supervisor, a
/// nursery clerk (保育課), a nursing-care clerk, a national-health-insurance clerk (国保年金課), a public-assistance
/// caseworker (生活福祉課), a library clerk (affairs without numbers), an auditor and an administrator. Passwords are
/// <c>demo-&lt;id&gt;-&lt;8 hex&gt;</c> and TOTP secrets 20 bytes, both HMAC-SHA256 of the demo seed, the ward code
/// and the id — deterministic so tests and the web console can log in. DEMO ONLY; never seed a real ward with it.
/// </summary>
public static class DemoStaff
{
    public const string DefaultSeed = "renkei-demo";

    private static readonly (string Id, string Name, StaffRole Role, string[] Affairs)[] Roster =
    [
        ("jumin01", "住民記録係 山田 太郎", StaffRole.Clerk, ["resident-register", "resident-certificate-general", "seal-registration"]),
        ("kazei01", "税務課 佐藤 花子", StaffRole.Clerk, ["local-tax"]),
        ("kodomo01", "子ども家庭支援課 鈴木 一郎", StaffRole.Clerk,
            ["child-allowance", "child-rearing-allowance", "special-child-rearing-allowance", "ord-child-upbringing-allowance", "ord-single-parent-medical-aid", "ord-child-medical-aid"]),
        ("kodomo02", "子ども家庭支援課 係長 高橋 美咲", StaffRole.Supervisor,
            ["child-allowance", "child-rearing-allowance", "special-child-rearing-allowance", "ord-child-upbringing-allowance", "ord-single-parent-medical-aid", "ord-child-medical-aid"]),
        ("hoiku01", "保育課 中島 彩", StaffRole.Clerk, ["childcare-benefit-certification"]),
        ("kaigo01", "高齢者福祉課 田中 健", StaffRole.Clerk, ["nursing-care-insurance", "ord-care-burden-reduction"]),
        ("kokuho01", "国保年金課 松本 大輔", StaffRole.Clerk, ["national-health-insurance"]),
        ("hogo01", "生活福祉課 井上 直子", StaffRole.Clerk, ["public-assistance"]),
        ("tosho01", "品川図書館 小林 由美", StaffRole.Clerk, ["library", "facility-booking"]),
        ("kansa01", "監査担当 伊藤 誠", StaffRole.Auditor, ["resident-register", "local-tax"]),
        ("admin01", "情報システム管理者 渡辺 聡", StaffRole.Administrator, []),
    ];

    /// <summary>The demo accounts of a ward with their credentials, without touching any database.</summary>
    public static IReadOnlyList<DemoStaffAccount> Accounts(LocalGovernmentCode ward, string seed = DefaultSeed) =>
        Roster.Select(r => new DemoStaffAccount(StaffId.Parse(r.Id), r.Name, r.Role, r.Affairs,
            "demo-" + r.Id + "-" + Convert.ToHexStringLower(Derive(seed, $"password/{ward.Digits}/{r.Id}", 4)),
            Derive(seed, $"totp/{ward.Digits}/{r.Id}", Totp.SecretBytes))).ToList();

    /// <summary>
    /// Creates the demo accounts that do not exist yet (existing ones are left as they are) and returns all of them with
    /// their credentials. Affairs missing from the directory's catalogue are left out of the assignment.
    /// </summary>
    public static IReadOnlyList<DemoStaffAccount> Seed(StaffDirectory directory, LocalGovernmentCode ward, string seed = DefaultSeed)
    {
        var accounts = Accounts(ward, seed);
        foreach (var account in accounts)
        {
            if (directory.Find(account.Id) is not null) continue;
            var affairs = account.Affairs.Where(a => directory.Catalogue.Find(a) is not null).ToList();
            try
            {
                directory.Create(new NewStaffMember(account.Id, account.DisplayName, account.Role, affairs), account.Password, account.TotpSecret);
            }
            catch (StaffException e) when (e.Code == StaffException.StaffExists)
            {
                // Seeded concurrently by another process: theirs is the same account.
            }
        }
        return accounts;
    }

    private static byte[] Derive(string seed, string label, int length) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(seed), Encoding.UTF8.GetBytes(label))[..length];
}
