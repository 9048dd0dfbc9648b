import Inzage
print("inzage")
