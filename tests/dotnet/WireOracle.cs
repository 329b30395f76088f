// The .NET oracle of the differential test (tests/contract/test_dotnet_oracle.py): writes
// what ASP.NET Web API 2 puts on the wire for RestApiResult<List<InvoiceSendingStatusVo>>,
// with the real serializers: DataContractSerializer through XmlMediaTypeFormatter's writer
// settings, and Json.NET with the service's date format.
//
// Build:  tests/dotnet/build OUTDIR        (mcs, Debian's mono-devel and Newtonsoft.Json)
// Run:    TZ=Etc/GMT-2 mono OUTDIR/WireOracle.exe
//
// Protocol (UTF-8; stdin is ASCII), one line per envelope of space-separated tokens:
//   envelope  Sucess(0|1) ResponseCode ResponseMessage Data Links
//   Data      a count (-1 for null) and that many items:
//             PracticeId EncounterId InvoiceId Reason Status System
//             SendingTime-ticks SendingTime-kind(0 Unspecified, 1 Utc, 2 Local)
//             SendingAttempts SendingType
//   Links     a count (-1 for null) and that many links: Rel HRef
//   a string  "~" for null, else "'" and its UTF-16 code units in hex, 4 digits each
//   integers  decimal; GUIDs in the D form
// An empty line ends a batch: the answers so far are flushed.
// Out, per envelope: "<base64 JSON body> <base64 XML body>"; a serializer that threw
// answers "!<base64 of 'ExceptionType: message'>" in its place.
//
// The DateTime is built from ticks and kind, so every value .NET can hold reaches the
// serializers as it is. Local times take the process's zone: run it with TZ=Etc/GMT-2,
// a fixed +02:00 like Windows' "South Africa Standard Time" (Africa/Johannesburg in
// tzdata has +01:30 before 1903 and summer time in 1942-1944; Windows has neither).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.Serialization;
using System.Text;
using System.Xml;
using Newtonsoft.Json;

// The service's types: plain classes without [DataContract], as Web API serializes them
// (DataContractSerializer's POCO mode: every public read/write property, contract name
// and namespace from the CLR type and namespace).
namespace Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects
{
    public class RestApiResult<T>
    {
        public bool Sucess { get; set; }
        public int ResponseCode { get; set; }
        public string ResponseMessage { get; set; }
        public T Data { get; set; }
        public List<RestApiLink> Links { get; set; }
    }

    public class RestApiLink
    {
        public string Rel { get; set; }
        public string HRef { get; set; }
    }
}

namespace Com.Healthbridge.Hhas.Billing.Interface.ValueObjects
{
    public class InvoiceSendingStatusVo
    {
        public Guid PracticeId { get; set; }
        public Guid EncounterId { get; set; }
        public Guid InvoiceId { get; set; }
        public string Reason { get; set; }
        public string Status { get; set; }
        public string System { get; set; }
        public DateTime SendingTime { get; set; }
        public int SendingAttempts { get; set; }
        public string SendingType { get; set; }
    }
}

namespace WireOracle
{
    using Com.Healthbridge.Core.CommonDomain.Interface.ValueObjects;
    using Com.Healthbridge.Hhas.Billing.Interface.ValueObjects;

    public static class Program
    {
        // MediaTypeFormatter's UTF-8: no BOM, throws on what UTF-8 cannot encode.
        static readonly Encoding Utf8 = new UTF8Encoding(false, true);
        static readonly TimeSpan ServiceOffset = TimeSpan.FromHours(2);

        public static int Main(string[] args)
        {
            TimeZoneInfo local = TimeZoneInfo.Local;
            if (local.BaseUtcOffset != ServiceOffset || local.GetAdjustmentRules().Length != 0)
            {
                Console.Error.WriteLine(
                    "WireOracle: the local time zone must be a fixed +02:00 (run with " +
                    "TZ=Etc/GMT-2); it is " + local.Id + " at " + local.BaseUtcOffset);
                return 2;
            }
            var oracle = new Oracle();
            var input = new StreamReader(Console.OpenStandardInput(), Utf8);
            var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            output.NewLine = "\n";
            string line;
            while ((line = input.ReadLine()) != null)
            {
                if (line.Length == 0)
                {
                    output.Flush();
                    continue;
                }
                var envelope = Parse(line);
                output.Write(Answer(() => oracle.Json(envelope)));
                output.Write(' ');
                output.Write(Answer(() => oracle.Xml(envelope)));
                output.Write('\n');
            }
            output.Flush();
            return 0;
        }

        static string Answer(Func<byte[]> write)
        {
            try
            {
                return Convert.ToBase64String(write());
            }
            catch (Exception error)
            {
                // The serializers wrap what the writer threw (TargetInvocationException).
                Exception cause = error.GetBaseException();
                string text = cause.GetType().FullName + ": " + cause.Message;
                return "!" + Convert.ToBase64String(new UTF8Encoding(false).GetBytes(text));
            }
        }

        static RestApiResult<List<InvoiceSendingStatusVo>> Parse(string line)
        {
            var tokens = new Tokens(line);
            var envelope = new RestApiResult<List<InvoiceSendingStatusVo>>
            {
                Sucess = tokens.Int() != 0,
                ResponseCode = tokens.Int(),
                ResponseMessage = tokens.Text(),
                Data = tokens.ListOf(Item),
                Links = tokens.ListOf(Link),
            };
            tokens.End();
            return envelope;
        }

        static InvoiceSendingStatusVo Item(Tokens t)
        {
            return new InvoiceSendingStatusVo
            {
                PracticeId = Guid.ParseExact(t.Next(), "D"),
                EncounterId = Guid.ParseExact(t.Next(), "D"),
                InvoiceId = Guid.ParseExact(t.Next(), "D"),
                Reason = t.Text(),
                Status = t.Text(),
                System = t.Text(),
                SendingTime = new DateTime(t.Long(), (DateTimeKind)t.Int()),
                SendingAttempts = t.Int(),
                SendingType = t.Text(),
            };
        }

        static RestApiLink Link(Tokens t)
        {
            return new RestApiLink { Rel = t.Text(), HRef = t.Text() };
        }
    }

    // One input line: space-separated tokens, read in order.
    sealed class Tokens
    {
        readonly string[] tokens;
        int next;

        public Tokens(string line)
        {
            tokens = line.Split(' ');
        }

        public string Next()
        {
            if (next >= tokens.Length)
            {
                throw new FormatException("the line ends too early");
            }
            return tokens[next++];
        }

        public int Int()
        {
            return int.Parse(Next(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        public long Long()
        {
            return long.Parse(Next(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        // "~" is null; otherwise "'" and the UTF-16 code units in hex, 4 digits each, so
        // any sequence of chars arrives as it is (a JSON reader would replace lone
        // surrogates).
        public string Text()
        {
            string token = Next();
            if (token == "~")
            {
                return null;
            }
            if (token.Length == 0 || token[0] != '\'' || (token.Length - 1) % 4 != 0)
            {
                throw new FormatException("not a text token: " + token);
            }
            var chars = new char[(token.Length - 1) / 4];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)ushort.Parse(
                    token.Substring(1 + 4 * i, 4), NumberStyles.AllowHexSpecifier,
                    CultureInfo.InvariantCulture);
            }
            return new string(chars);
        }

        // A count (-1 for null) and that many elements.
        public List<T> ListOf<T>(Func<Tokens, T> element)
        {
            int count = Int();
            if (count < 0)
            {
                return null;
            }
            var list = new List<T>(count);
            for (int i = 0; i < count; i++)
            {
                list.Add(element(this));
            }
            return list;
        }

        public void End()
        {
            if (next != tokens.Length)
            {
                throw new FormatException("unexpected tokens after the envelope");
            }
        }
    }

    sealed class Oracle
    {
        static readonly Encoding Utf8 = new UTF8Encoding(false, true);

        readonly DataContractSerializer xml =
            new DataContractSerializer(typeof(RestApiResult<List<InvoiceSendingStatusVo>>));

        // XmlMediaTypeFormatter.WriterSettings, and the Windows newline: XmlWriterSettings'
        // NewLineChars defaults to Environment.NewLine, "\r\n" on the service's Windows.
        readonly XmlWriterSettings xmlSettings = new XmlWriterSettings
        {
            OmitXmlDeclaration = true,
            CloseOutput = false,
            CheckCharacters = false,
            Encoding = Utf8,
            NewLineChars = "\r\n",
        };

        // JsonMediaTypeFormatter's defaults plus the service's date format.
        readonly JsonSerializer json = JsonSerializer.Create(new JsonSerializerSettings
        {
            MissingMemberHandling = MissingMemberHandling.Ignore,
            TypeNameHandling = TypeNameHandling.None,
            DateFormatString = "yyyy-MM-ddTHH:mm:ssZ",
        });

        public byte[] Xml(RestApiResult<List<InvoiceSendingStatusVo>> value)
        {
            var stream = new MemoryStream();
            using (XmlWriter writer = XmlWriter.Create(stream, xmlSettings.Clone()))
            {
                xml.WriteObject(writer, value);
            }
            return stream.ToArray();
        }

        public byte[] Json(RestApiResult<List<InvoiceSendingStatusVo>> value)
        {
            var stream = new MemoryStream();
            using (var writer = new JsonTextWriter(new StreamWriter(stream, Utf8)))
            {
                writer.CloseOutput = false;
                json.Serialize(writer, value);
                writer.Flush();
            }
            return stream.ToArray();
        }
    }
}
