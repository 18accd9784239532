"""Names from many cultures, written exactly as their owners write them.

The demo exists partly to prove that every screen, list and PDF shows a name exactly as typed:
accents and other Latin marks, Cyrillic, Greek, Vietnamese, Arabic, Chinese, Japanese, Korean,
apostrophes and hyphens, particles such as "van der", and one Yoruba name with a combining accent
that has no precomposed form. Each person's given and family names come from one tradition (with
the feminine form of the family name where the tradition has one). Every string here is in NFC.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Culture:
    """One naming tradition: a person's given and family names are both drawn from it."""

    key: str
    weight: int  # relative frequency among demo cases
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    ethnicity: tuple[str, ...]  # as a person might state it, not a code
    # Where the family name takes a feminine form (Polish -ska, Russian -ова, Greek -ου), the
    # forms in the order of ``family``.
    family_female: tuple[str, ...] = ()
    second_given: bool = True  # whether a second given name is usual in this tradition

    def family_for(self, index: int, male: bool) -> str:
        return self.family_female[index] if self.family_female and not male else self.family[index]


def _t(text: str) -> tuple[str, ...]:
    """A tuple of names from a ``|``-separated string (names hold spaces and apostrophes)."""
    return tuple(text.split("|"))


CULTURES: tuple[Culture, ...] = (
    Culture(
        "english",
        36,
        _t(
            "James|John|David|Michael|Paul|Mark|Daniel|Thomas|Lee|Craig|Wayne|Darren|Stephen|"
            "Gary|Ryan|Jamie|Liam|Connor|Kieran|Shane|Dean|Carl|Andrew|Robert|Christopher|"
            "Matthew|Richard|Anthony|Peter|Simon|Neil|Jason|Scott|Adam|Luke|Nathan|Jordan|"
            "Bradley|Kyle|Ashley|Martin|Philip|Kevin|Graham|Keith|Trevor|Barry|Terence|Colin|"
            "Alan|Brian|Derek|Malcolm|Nigel|Russell|Stuart|Jack|Harry|George|Oliver|Samuel|"
            "Joseph|Benjamin|Callum|Reece|Josh|Aaron|Jake|Tom|Ben|Sam|Billy|Ricky|Gavin"
        ),
        _t(
            "Sarah|Emma|Claire|Lisa|Kelly|Michelle|Joanne|Amy|Leanne|Rachel|Nicola|Donna|"
            "Samantha|Laura|Rebecca|Hayley|Gemma|Stacey|Jodie|Victoria|Karen|Tracey|Julie|"
            "Susan|Helen|Louise|Charlotte|Hannah|Jade|Natalie|Zoe|Kerry|Dawn|Sharon|Angela"
        ),
        _t(
            "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|Wright|Thompson|"
            "Evans|Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Hughes|Edwards|Turner|"
            "Hill|Moore|Harris|Martin|Cooper|Ward|Morris|King|Baker|Lewis|Harrison|Scott|Young|"
            "Allen|Mitchell|Parker|Bennett|Cook|Bailey|Carter|Shaw|Lee|Watson|Richardson|Chapman|"
            "Phillips|Marshall|Holmes|Ellis|Price|Mason|Webb|Rogers|Gray|Cole|Barnes|Knight|"
            "Fletcher|Pearson|Hunt|Butler|Palmer|Stevens|Dixon|Lawrence|Atkinson|Holland|"
            "Gibson|Wells|Dawson|Spencer|Fox|Jenkins|Lloyd|Pritchard|Whitehead|Sutton|Bradley|"
            "Barker|Hodgson|Ashworth|Brooks|Fisher|Goodwin|Hartley|Kershaw|Lomax|Marsden|"
            "Naylor|Openshaw|Pickering|Ramsbottom|Sykes|Thornton|Smith-Jones|Ashworth-Pryce"
        ),
        ("White British", "White English", "British", "Prefers not to say"),
    ),
    Culture(
        "welsh",
        3,
        _t("Rhys|Dafydd|Gareth|Gethin|Iwan|Owain|Huw|Emyr|Aled|Rhodri|Dylan|Geraint"),
        _t("Ffion|Catrin|Siân|Eleri|Angharad|Non|Nia|Bethan"),
        _t(
            "Jones|Williams|Davies|Evans|Thomas|Roberts|Hughes|Lewis|Morgan|Griffiths|Price|"
            "Pritchard|Llewellyn|Bowen|Pugh|Vaughan|Fforde|ap Rhys|Prosser|Watkins"
        ),
        ("White Welsh", "White British", "Welsh"),
    ),
    Culture(
        "irish",
        5,
        _t(
            "Seán|Pádraig|Ciarán|Eoin|Declan|Niall|Ruairí|Cathal|Conor|Darragh|Fionn|Oisín|"
            "Colm|Dónal|Micheál|Tadhg|Brendan|Fergal"
        ),
        _t("Siobhán|Aoife|Niamh|Caoimhe|Mairéad|Gráinne|Róisín|Orla|Clodagh|Saoirse"),
        _t(
            "O'Brien|O'Connor|O'Neill|Ó Súilleabháin|Fitzgerald|Kavanagh|Doyle|Byrne|Murphy|"
            "Kelly|Walsh|Ryan|O'Sullivan|McCarthy|Gallagher|Doherty|Kennedy|Lynch|Quinn|"
            "Moran|Brennan|Ó Briain|Mac Giolla|Nolan|Keane|Flanagan|Mc Bride|Devlin"
        ),
        ("White Irish", "Irish Traveller", "Irish"),
    ),
    Culture(
        "scottish",
        3,
        _t(
            "Callum|Hamish|Alasdair|Euan|Fraser|Angus|Ruaridh|Lachlan|Ewan|Gregor|Murdo|"
            "Ross|Iain|Struan"
        ),
        _t("Eilidh|Kirsty|Morag|Isla|Catriona|Mhairi|Fiona|Shona"),
        _t(
            "MacDonald|McAllister|Campbell|Stewart|MacLeod|Robertson|Fraser|Murray|Grant|"
            "Mackenzie|Sinclair|Cameron|MacGregor|Henderson|Buchanan|Drummond|Kerr|Munro"
        ),
        ("White Scottish", "Scottish", "White British"),
    ),
    Culture(
        "pakistani",
        6,
        _t(
            "Mohammed|Imran|Sajid|Tariq|Aamir|Zubair|Asif|Kamran|Naveed|Shahid|Waqas|Usman|"
            "Adnan|Faisal|Irfan|Nadeem|Zeeshan|Bilal|Haroon|Shoaib"
        ),
        _t("Aisha|Nusrat|Fatima|Sana|Ayesha|Rabia|Samina|Shazia|Bushra"),
        _t(
            "Khan|Hussain|Ahmed|Iqbal|Chaudhry|Mahmood|Akhtar|Aslam|Bashir|Javed|Malik|"
            "Mirza|Qureshi|Rashid|Raza|Shah|Siddiqui|Yousaf|Butt|Anwar"
        ),
        ("Asian British – Pakistani", "Pakistani", "British Pakistani"),
    ),
    Culture(
        "indian",
        3,
        _t(
            "Rajesh|Sanjay|Arjun|Vikram|Amit|Anil|Deepak|Nikhil|Rohit|Suresh|Vijay|Ravi|Kiran|"
            "Manoj|Prakash"
        ),
        _t("Priya|Sunita|Anjali|Deepa|Kavita|Meera|Neha|Pooja"),
        _t(
            "Patel|Sharma|Mistry|Shah|Joshi|Desai|Mehta|Parmar|Chauhan|Gupta|Kumar|Rao|Iyer|"
            "Nair|Pillai|D'Souza|D'Costa|Fernandes"
        ),
        ("Asian British – Indian", "British Indian", "British Indian (Goan)"),
    ),
    Culture(
        "sikh",
        2,
        _t("Gurpreet|Harjit|Jaswinder|Kulwant|Manjit|Sukhwinder|Baljit|Harinder|Amarjit|Ranjit"),
        _t("Harpreet|Jaspreet|Simran|Navdeep|Parminder|Rajinder"),
        _t("Singh|Gill|Sandhu|Dhillon|Sidhu|Bains|Grewal|Sahota|Johal|Atwal|Bassi|Kang"),
        ("Asian British – Indian", "British Sikh", "Indian"),
    ),
    Culture(
        "bangladeshi",
        2,
        _t("Abdul|Mizanur|Rahim|Shamim|Jahangir|Anwar|Sohel|Rubel|Faruk|Monir"),
        _t("Nasima|Rokeya|Shirin|Taslima|Nusrat"),
        _t("Begum|Uddin|Rahman|Miah|Ali|Islam|Hoque|Chowdhury|Ahmed|Hossain|Karim"),
        ("Asian British – Bangladeshi", "Bangladeshi", "British Bangladeshi"),
    ),
    Culture(
        "polish",
        5,
        _t(
            "Łukasz|Paweł|Michał|Krzysztof|Grzegorz|Wojciech|Tomasz|Piotr|Marcin|Mariusz|"
            "Dariusz|Sławomir|Jarosław|Bartłomiej|Przemysław|Kamil|Rafał"
        ),
        _t("Małgorzata|Agnieszka|Katarzyna|Magdalena|Joanna|Dorota|Ewelina|Beata"),
        _t(
            "Wójcik|Kowalczyk|Zieliński|Krzyżanowski|Nowak|Wiśniewski|Kowalski|Lewandowski|"
            "Kamiński|Dąbrowski|Szymański|Woźniak|Kozłowski|Jankowski|Mazur|Krawczyk|"
            "Piotrowski|Grabowski|Pawłowski|Michalski"
        ),
        ("White Polish", "Polish", "White other (Polish)"),
        family_female=_t(
            "Wójcik|Kowalczyk|Zielińska|Krzyżanowska|Nowak|Wiśniewska|Kowalska|Lewandowska|"
            "Kamińska|Dąbrowska|Szymańska|Woźniak|Kozłowska|Jankowska|Mazur|Krawczyk|"
            "Piotrowska|Grabowska|Pawłowska|Michalska"
        ),
    ),
    Culture(
        "czech_slovak",
        1,
        _t("Jiří|Tomáš|Jan|Petr|Martin|Lukáš|Ondřej|Miroslav|Marek|Zdeněk"),
        _t("Zuzana|Lenka|Veronika|Jana|Petra"),
        _t("Dvořák|Novotný|Procházka|Horváth|Černý|Svoboda|Kučera|Veselý|Krejčí|Němec"),
        ("White other (Czech)", "Slovak", "Czech", "Roma"),
        family_female=_t(
            "Dvořáková|Novotná|Procházková|Horváthová|Černá|Svobodová|Kučerová|Veselá|Krejčí|"
            "Němcová"
        ),
    ),
    Culture(
        "lithuanian",
        1,
        _t("Andrius|Mindaugas|Tomas|Darius|Giedrius|Vytautas|Saulius|Žydrūnas"),
        _t("Ieva|Rūta|Jurgita|Agnė"),
        _t("Kazlauskas|Petrauskas|Jankauskas|Stankevičius|Vasiliauskas|Žukauskas|Butkus"),
        ("White Lithuanian", "Lithuanian", "White other"),
        family_female=_t(
            "Kazlauskienė|Petrauskienė|Jankauskienė|Stankevičienė|Vasiliauskienė|"
            "Žukauskienė|Butkienė"
        ),
    ),
    Culture(
        "latvian",
        1,
        _t("Jānis|Andris|Mārtiņš|Edgars|Kārlis|Raivis"),
        _t("Līga|Ilze|Inese"),
        _t("Bērziņš|Kalniņš|Ozoliņš|Jansons|Liepiņš|Krūmiņš"),
        ("White other (Latvian)", "Latvian"),
        family_female=_t("Bērziņa|Kalniņa|Ozoliņa|Jansone|Liepiņa|Krūmiņa"),
    ),
    Culture(
        "romanian",
        2,
        _t("Ștefan|Mihai|Dragoș|Ionuț|Florin|Cristian|Adrian|Marius|Gheorghe|Constantin|Răzvan"),
        _t("Ioana|Elena|Andreea|Mihaela|Alina"),
        _t(
            "Popescu|Mureșan|Țurcanu|Ionescu|Popa|Stoica|Dumitru|Constantinescu|Munteanu|"
            "Stan|Lungu|Moldovan|Rădulescu"
        ),
        ("White Romanian", "Romanian", "Roma", "White other"),
    ),
    Culture(
        "serbian",
        1,
        _t("Nikola|Đorđe|Marko|Stefan|Miloš|Dragan|Zoran|Nenad"),
        _t("Jelena|Milica|Ana|Dragana"),
        _t("Jovanović|Petrović|Đukić|Nikolić|Marković|Ilić|Stojanović|Pavlović"),
        ("Serbian", "White other (Serbian)"),
    ),
    Culture(
        "german",
        1,
        _t("Jürgen|Günther|Stefan|Matthias|Jörg|Uwe|Tobias|Sebastian|Klaus"),
        _t("Ingrid|Jutta|Sabine|Birgit"),
        _t("Müller|Schröder|Schmidt|Fischer|Weber|Becker|Hoffmann|Schäfer|von Hößlin|Krüger"),
        ("White German", "German", "White other"),
    ),
    Culture(
        "french",
        1,
        _t("François|Jérôme|Stéphane|Frédéric|Sébastien|Thierry|Benoît|Cédric"),
        _t("Hélène|Françoise|Céline|Amélie"),
        _t("Lefèvre|Côté|Dubois|Lefebvre|Moreau|Girard|Mercier|Bérard|Fontaine"),
        ("White French", "French", "White other"),
    ),
    Culture(
        "portuguese_spanish",
        1,
        _t("José|João|Luís|António|Rui|Sérgio|Andrés|Jesús|Nuño"),
        _t("Inês|Ana|María|Lucía"),
        _t("Gonçalves|Peña|Fernández|Rodrigues|Pereira|Sánchez|Martínez|de la Cruz|Araújo"),
        ("Portuguese", "Spanish", "White other"),
    ),
    Culture(
        "nordic_dutch",
        1,
        _t("Søren|Åke|Bjørn|Lars|Pieter|Joost|Sven"),
        _t("Åsa|Ingrid|Sanne"),
        _t("Ødegård|Jensen|Lindqvist|Ångström|van der Berg|de Vries|Bakker|Þórsson"),
        ("Danish", "Swedish", "Dutch", "White other"),
    ),
    Culture(
        "hungarian",
        1,
        _t("Gergő|László|Zoltán|Attila|Bálint|Péter"),
        _t("Zsófia|Katalin|Réka"),
        _t("Szőke|Nagy|Kovács|Tóth|Szabó|Horváth|Varga|Kiss"),
        ("Hungarian", "White other (Hungarian)", "Roma"),
    ),
    Culture(
        "turkish_kurdish",
        3,
        _t("Mehmet|Mustafa|Hüseyin|İbrahim|Ömer|Çağlar|Şükrü|Emre|Murat|Serkan|Cem|Tolga"),
        _t("Ayşe|Gülşen|Şebnem|Elif|Zeynep|Fatma"),
        _t(
            "Yılmaz|Çelik|Şahin|Öztürk|Doğan|Kılıç|Aydın|Güneş|Kaya|Demir|Arslan|Yıldız|"
            "Koç|Aslan|Polat"
        ),
        ("Turkish", "Kurdish", "Turkish Cypriot"),
    ),
    Culture(
        "russian",
        1,
        _t("Дмитрий|Сергей|Иван|Владимир|Алексей|Николай|Михаил|Павел"),
        _t("Наталья|Ирина|Екатерина|Светлана"),
        _t("Иванов|Петров|Смирнов|Кузнецов|Соколов|Попов|Волков|Морозов"),
        ("White Russian", "Russian", "White other"),
        family_female=_t("Иванова|Петрова|Смирнова|Кузнецова|Соколова|Попова|Волкова|Морозова"),
    ),
    Culture(
        "ukrainian",
        2,
        _t("Олександр|Андрій|Юрій|Тарас|Богдан|Василь|Віталій|Остап|Микола"),
        _t("Олена|Оксана|Тетяна|Ганна"),
        _t("Шевченко|Коваленко|Бондаренко|Ткаченко|Кравчук|Мельник|Олійник|Лисенко|Гончаренко"),
        ("Ukrainian", "White other (Ukrainian)"),
    ),
    Culture(
        "greek",
        2,
        _t("Γιώργος|Δημήτρης|Νίκος|Κωνσταντίνος|Γιάννης|Παναγιώτης|Χρήστος|Βασίλης"),
        _t("Μαρία|Ελένη|Κατερίνα|Σοφία"),
        _t("Παπαδόπουλος|Οικονόμου|Γεωργίου|Νικολάου|Χριστοδούλου|Παπαδάκης|Αντωνίου|Βλάχος"),
        ("Greek", "Greek Cypriot"),
        family_female=_t(
            "Παπαδοπούλου|Οικονόμου|Γεωργίου|Νικολάου|Χριστοδούλου|Παπαδάκη|Αντωνίου|Βλάχου"
        ),
    ),
    Culture(
        "vietnamese",
        2,
        _t("Văn Minh|Đức Anh|Quốc Huy|Thành Long|Hữu Phước|Văn Hùng|Minh Tuấn|Công Thành"),
        _t("Thị Hương|Ngọc Ánh|Thị Lan|Thu Trang"),
        _t("Nguyễn|Trần|Lê|Phạm|Hoàng|Võ|Đặng|Bùi|Đỗ|Huỳnh"),
        ("Vietnamese", "Asian other (Vietnamese)"),
        second_given=False,
    ),
    Culture(
        "arabic_script",
        2,
        _t("محمد|أحمد|عبد الله|يوسف|خالد|علي|حسن|عمر|سامي|طارق"),
        _t("فاطمة|مريم|نور"),
        _t("العلي|الحسن|عبد الرحمن|الخطيب|المصري|الحداد|الشامي|العبيدي|النجار"),
        ("Arab", "Iraqi", "Syrian", "Other ethnic group – Arab"),
        second_given=False,
    ),
    Culture(
        "arabic_latin",
        2,
        _t("Omar|Karim|Youssef|Ahmed|Khaled|Mahmoud|Hassan|Samir|Walid|Tarek|Nabil"),
        _t("Layla|Mariam|Noor|Rania"),
        _t("Al-Masri|El-Sayed|Haddad|Abu Bakr|Mansour|Khalil|Nasser|Saleh|Hamdan|Al-Rashid"),
        ("Arab", "Egyptian", "Libyan", "Other ethnic group – Arab"),
        second_given=False,
    ),
    Culture(
        "west_african",
        4,
        _t(
            "Chukwuemeka|Oluwaseun|Adébáyọ̀|Kwame|Kofi|Emeka|Obinna|Tunde|Babatunde|"
            "Olumide|Chinedu|Ikenna|Kwabena|Yaw"
        ),
        _t("Chiamaka|Folasade|Amara|Ngozi|Adaeze|Abena"),
        _t(
            "Okafor|Adeyemi|Ògúnlànà|Mensah|Asante|Okonkwo|Eze|Nwosu|Adebayo|Oyelaran|Boateng|"
            "Owusu|Osei|Okonkwo-Smith|N'Diaye"
        ),
        ("Black British – African", "Nigerian", "Ghanaian"),
    ),
    Culture(
        "somali",
        2,
        _t("Abdirahman|Abdi|Mohamed|Hassan|Abdullahi|Ahmed|Yusuf|Omar|Mahad|Liban"),
        _t("Hodan|Faduma|Amina|Sahra"),
        _t("Abdi|Mohamud|Farah|Warsame|Hassan|Jama|Osman|Ali|Nur|Egal"),
        ("Somali", "Black British – African"),
        second_given=False,
    ),
    Culture(
        "caribbean",
        4,
        _t(
            "Delroy|Winston|Marlon|Tyrone|Jermaine|Leroy|Errol|Clive|Carlton|Dwayne|Kemar|"
            "Andre|Courtney|Desmond|Fitzroy"
        ),
        _t("Shanice|Marcia|Janelle|Simone|Beverley|Paulette"),
        _t(
            "Campbell|Clarke|Francis|Brown|Thompson|Williams|Grant|Reid|Bailey|Henry|"
            "McKenzie|Gordon|Edwards|Samuels|Forbes|Morrison|Beckford"
        ),
        ("Black British – Caribbean", "Mixed – White and Black Caribbean", "Jamaican"),
    ),
    Culture(
        "southern_african",
        1,
        _t("Tendai|Tatenda|Farai|Tinashe|Blessing|Kudzai|Sipho|Thabo"),
        _t("Rudo|Nyasha|Chipo"),
        _t("Moyo|Ncube|Dube|Sibanda|Mpofu|Chikwanha|Nkomo|Mutasa"),
        ("Black British – African", "Zimbabwean", "South African"),
    ),
    Culture(
        "chinese_latin",
        1,
        _t("Wei|Jun|Hao|Ming|Jian|Lei|Chen|Kai"),
        _t("Mei|Xiu|Lin"),
        _t("Zhang|Wang|Li|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou"),
        ("Chinese", "British Chinese"),
        second_given=False,
    ),
    Culture(
        "chinese",
        1,
        _t("伟|杰|浩然|明|建国|磊|志强|俊杰"),
        _t("美玲|秀英|丽"),
        _t("张|王|李|刘|陈|杨|黄|赵|吴|周"),
        ("Chinese", "British Chinese"),
        second_given=False,
    ),
    Culture(
        "japanese",
        1,
        _t("ひろし|健太|翔太|大輔|拓也|ケンジ|誠|悠斗"),
        _t("ゆき|さくら|美咲"),
        _t("田中|佐藤|鈴木|高橋|渡辺|伊藤|山本|中村|小林"),
        ("Japanese", "Asian other (Japanese)"),
        second_given=False,
    ),
    Culture(
        "korean",
        1,
        _t("민준|서준|도윤|지훈|현우|성민|준호|영수"),
        _t("서연|지민|수빈"),
        _t("김|이|박|최|정|강|조|윤|장"),
        ("Korean", "Asian other (Korean)"),
        second_given=False,
    ),
)

# Nicknames and aliases, as they appear in police records. (Markup-like names belong in the
# tests, not in what an evaluator sees first.)
NICKNAMES: tuple[str, ...] = (
    "Smudge",
    "Taz",
    "Big Dave",
    "Little J",
    "Spider",
    "Bonnie",
    "Salty",
    "DIY Dave",
    "Mackie",
    "Tiny",
    "Dutch",
    "Jonno",
    "Shorty",
    "Lefty",
    "Ghost",
    "Kev the Rev",
    "O'Malley",
    "Mr Big",
    "Ziggy",
    "Mo",
)

ADDRESS_AREAS: tuple[str, ...] = (
    "Northgate",
    "Riverside",
    "Eastfield",
    "Westbrook",
    "Old Town",
    "Harbourside",
    "St Anne's",
    "Kingsmead",
    "Moorfields",
    "Ashby-de-la-Zouch Road",
    "Bryn Hyfryd",
    "Southmere",
    "Canal Quarter",
    "Hillcrest Estate",
    "Ynys Môn (out of area)",
)

# Practitioner names: drawn from the same cultures so staff lists are diverse too.
ROLE_TITLES: dict[str, tuple[str, ...]] = {
    "Police": (
        "Detective Inspector, Public Protection Unit",
        "Detective Sergeant, MOSOVO",
        "Detective Constable, Offender Management",
        "Police Staff Investigator",
    ),
    "Probation": (
        "Senior Probation Officer",
        "Probation Officer",
        "Probation Services Officer",
        "Probation Practitioner",
    ),
    "Prison": ("Offender Management Unit Manager", "Prison Offender Manager", "Governor"),
    "MAPPA Unit": ("MAPPA Co-ordinator", "MAPPA Administrator", "MAPPA Business Manager"),
}
DEFAULT_ROLE_TITLES: tuple[str, ...] = ("Service Manager", "Practitioner", "Team Leader")
# Chairs: a police or probation manager chairs Level 2; Level 3 needs senior representation
# (guidance 7.5), so its chairs hold the senior grade, titled as the self-audit's default list of
# senior roles names them (settings.DEFAULT_SENIOR_CHAIR_ROLES, local policy). (senior, manager)
# per agency.
CHAIR_TITLES: dict[str, tuple[str, str]] = {
    "Police": ("Superintendent", "Detective Inspector, Public Protection Unit"),
    "Probation": ("Head of Public Protection", "Senior Probation Officer"),
}
SENIOR_CHAIR_TITLES = frozenset(senior for senior, _ in CHAIR_TITLES.values())
